package org.smarthost.protocol.dns;

/**
 * A destination that DNS cannot turn into server addresses. {@code dsn} is the RFC 3463 status
 * (4.x.x: try again later; 5.x.x: bounce), {@code reason} Postfix's wording, e.g.
 * "Host or domain name not found. Name service error for name=example.com type=MX: Host not found".
 */
public final class DnsFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String dsn;

    public DnsFailure(String dsn, String reason) {
        super(reason, null, false, false);
        this.dsn = dsn;
    }

    public String dsn() { return dsn; }

    public String reason() { return getMessage(); }

    public boolean isTransient() { return dsn.startsWith("4"); }
}
