package org.smarthost.streams.cleanup;

/**
 * Cleanup refused the message. The stream fails with this; smtpd answers with the reply.
 *
 * @see #TOO_MANY_HOPS
 * @see #MESSAGE_TOO_BIG
 */
public final class CleanupRejected extends RuntimeException {

    private final int code;
    private final String enhanced;
    private final String text;

    public CleanupRejected(int code, String enhanced, String text) {
        super(code + " " + enhanced + " " + text, null, false, false);
        this.code = code;
        this.enhanced = enhanced;
        this.text = text;
    }

    /** cleanup's CLEANUP_STAT_HOPS, as smtpd reports it. */
    public static CleanupRejected tooManyHops() {
        return new CleanupRejected(554, "5.4.0", "Error: too many hops");
    }

    /** message_size_limit exceeded, as smtpd reports it during DATA. */
    public static CleanupRejected messageTooBig() {
        return new CleanupRejected(552, "5.3.4", "Message size exceeds fixed limit");
    }

    /**
     * A header/body_checks table could not answer: cleanup's CLEANUP_STAT_WRITE, as smtpd
     * reports it ("451 4.3.0 Error: queue file write error"), so the client tries again later.
     */
    public static CleanupRejected lookupProblem() {
        return new CleanupRejected(451, "4.3.0", "Error: queue file write error");
    }

    /**
     * A header/body_checks action smarthost cannot carry out (FILTER, REDIRECT, BCC): a
     * configuration problem, reported as smtpd reports one, so the client tries again later.
     */
    public static CleanupRejected unsupportedAction() {
        return new CleanupRejected(451, "4.3.5", "Server configuration error");
    }

    /** REJECT without text (CLEANUP_STAT_CONT's text). */
    public static final String CONTENT_REJECTED = "message content rejected";
    public static final String TOO_MANY_HOPS = "Error: too many hops";
    public static final String MESSAGE_TOO_BIG = "Message size exceeds fixed limit";

    public int code() { return code; }
    public String enhanced() { return enhanced; }
    public String text() { return text; }
}
