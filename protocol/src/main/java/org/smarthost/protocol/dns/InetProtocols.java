package org.smarthost.protocol.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * The address families the delivery agents may use: Postfix's {@code inet_protocols}
 * ("all", "ipv4", "ipv6", "ipv4, ipv6").
 */
public record InetProtocols(boolean ipv4, boolean ipv6) {

    public static final InetProtocols ALL = new InetProtocols(true, true);

    public InetProtocols {
        if (!ipv4 && !ipv6) throw new IllegalArgumentException("inet_protocols: no address family enabled");
    }

    /** Parses a main.cf value; unknown words are an error, as in Postfix. */
    public static InetProtocols parse(String value) {
        boolean v4 = false, v6 = false;
        for (String word : value.toLowerCase(Locale.ROOT).split("[\\s,]+")) {
            switch (word) {
                case "" -> { }
                case "all" -> { v4 = true; v6 = true; }
                case "ipv4" -> v4 = true;
                case "ipv6" -> v6 = true;
                default -> throw new IllegalArgumentException("inet_protocols: unknown protocol: \"" + word + "\"");
            }
        }
        return new InetProtocols(v4, v6);
    }

    public boolean allows(InetAddress address) {
        return address instanceof Inet4Address ? ipv4 : address instanceof Inet6Address && ipv6;
    }
}
