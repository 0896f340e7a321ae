package org.smarthost.protocol.client;

/**
 * One delivery destination as Postfix's smtp(8)/lmtp(8) understand it (see
 * {@link NexthopParser}).
 */
public sealed interface Nexthop {

    /**
     * A TCP destination.
     *
     * @param host      domain, host name or address literal (IPv6 without the "ipv6:" prefix)
     * @param mxLookup  true for {@code domain[:port]}: look up MX records; false for {@code [host]}
     */
    record Inet(String host, int port, boolean mxLookup) implements Nexthop {
        @Override public String toString() {
            String h = host.contains(":") ? "ipv6:" + host : host;
            return (mxLookup ? h : "[" + h + "]") + ":" + port;
        }
    }

    /** A UNIX-domain socket (LMTP). */
    record Unix(String path) implements Nexthop {
        @Override public String toString() { return "unix:" + path; }
    }
}
