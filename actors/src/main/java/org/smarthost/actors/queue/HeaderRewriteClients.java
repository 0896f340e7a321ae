package org.smarthost.actors.queue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import org.smarthost.protocol.smtpd.SessionInfo;

/**
 * local_header_rewrite_clients: which clients get Postfix's "local" header treatment (missing
 * Message-Id:, Date:, From: added). Understands permit_inet_interfaces, permit_mynetworks,
 * permit_sasl_authenticated, static:all and literal CIDR blocks/addresses; unknown entries
 * match nothing (the restriction language proper lives with smtpd).
 */
final class HeaderRewriteClients {

    private final List<String> entries;
    private final List<String> mynetworks;

    HeaderRewriteClients(List<String> entries, List<String> mynetworks) {
        this.entries = entries;
        this.mynetworks = mynetworks;
    }

    boolean matches(SessionInfo session) {
        InetAddress addr = session.clientAddress() == null ? null : session.clientAddress().getAddress();
        for (String e : entries) {
            switch (e) {
                case "static:all", "permit" -> {
                    return true;
                }
                case "permit_inet_interfaces" -> {
                    if (addr != null && isLocalInterface(addr)) return true;
                }
                case "permit_mynetworks" -> {
                    if (addr != null && mynetworks.stream().anyMatch(n -> Cidr.contains(n, addr))) return true;
                }
                case "permit_sasl_authenticated" -> {
                    if (session.saslUsername() != null) return true;
                }
                default -> {
                    if (addr != null && Cidr.contains(e, addr)) return true;
                }
            }
        }
        return false;
    }

    private static boolean isLocalInterface(InetAddress addr) {
        if (addr.isLoopbackAddress()) return true;
        try {
            return NetworkInterface.getByInetAddress(addr) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** "a.b.c.d/n", "[v6::]/n", or a single address; anything else matches nothing. */
    static final class Cidr {
        private Cidr() { }

        static boolean contains(String spec, InetAddress addr) {
            try {
                String s = spec.replace("[", "").replace("]", "");
                int slash = s.indexOf('/');
                if (s.isEmpty() || !(Character.isDigit(s.charAt(0)) || s.indexOf(':') >= 0)) return false;
                InetAddress net = InetAddress.getByName(slash < 0 ? s : s.substring(0, slash));
                byte[] a = addr.getAddress();
                byte[] n = net.getAddress();
                if (a.length != n.length) return false;
                int bits = slash < 0 ? a.length * 8 : Integer.parseInt(s.substring(slash + 1));
                for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
                    int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                    if ((a[i] & mask) != (n[i] & mask)) return false;
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        }
    }
}
