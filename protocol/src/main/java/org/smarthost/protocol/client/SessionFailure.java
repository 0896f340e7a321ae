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

    public SessionFailure(String dsn, String text, String remoteReply) {
        super(text, null, false, false);
        this.dsn = dsn;
        this.remoteReply = remoteReply;
    }

    public String dsn() { return dsn; }

    public String text() { return getMessage(); }

    /** The server reply behind the failure, or null for local conditions (timeouts, lost connections). */
    public String remoteReply() { return remoteReply; }

    public boolean isSoft() { return dsn.startsWith("4"); }
}
