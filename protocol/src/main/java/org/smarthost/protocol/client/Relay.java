package org.smarthost.protocol.client;

/**
 * The server a delivery talked to, as Postfix names it: {@code host[address]:port} for TCP,
 * {@code host[path]} for UNIX-domain sockets (host is then {@code myhostname}).
 *
 * @param port the TCP port, or -1 for a UNIX-domain socket
 */
public record Relay(String hostname, String address, int port) {

    /** Postfix's "relay=none": no server was reached. */
    public static final Relay NONE = new Relay("none", "", -1);

    public boolean isNone() { return this == NONE || "none".equals(hostname) && address.isEmpty(); }

    /** "host[address]" — the form used inside "host ... said:" texts. */
    public String hostAddress() {
        return isNone() ? "none" : hostname + "[" + address + "]";
    }

    /** The value of Postfix's {@code relay=} log field. */
    @Override public String toString() {
        if (isNone()) return "none";
        return port < 0 ? hostAddress() : hostAddress() + ":" + port;
    }
}
