package org.smarthost.protocol.client;

/**
 * A failure that ends a session (or a transaction) for every recipient still in it, worded as
 * Postfix words it. A 4.x.x {@code dsn} is soft (try the next server, else defer), 5.x.x hard.
 *
 * @see PostfixText
 */
public final class SessionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String dsn;
    private final String remoteReply;
    private final boolean optionalTls;

    public SessionFailure(String dsn, String text, String remoteReply) {
        this(dsn, text, remoteReply, false);
    }

    /**
     * @param optionalTls a failed TLS handshake at a level that makes TLS optional ("may"): as in
     *                    Postfix, the server is not throttled, and a message that has already waited
     *                    minimal_backoff_time tries the same server again in plaintext
     */
    public SessionFailure(String dsn, String text, String remoteReply, boolean optionalTls) {
        super(text, null, false, false);
        this.dsn = dsn;
        this.remoteReply = remoteReply;
        this.optionalTls = optionalTls;
    }

    public String dsn() { return dsn; }

    public String text() { return getMessage(); }

    /** The server reply behind the failure, or null for local conditions (timeouts, lost connections). */
    public String remoteReply() { return remoteReply; }

    public boolean isSoft() { return dsn.startsWith("4"); }

    public boolean optionalTls() { return optionalTls; }
}
