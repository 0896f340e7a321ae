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

    public static final String TOO_MANY_HOPS = "Error: too many hops";
    public static final String MESSAGE_TOO_BIG = "Message size exceeds fixed limit";

    public int code() { return code; }
    public String enhanced() { return enhanced; }
    public String text() { return text; }
}
