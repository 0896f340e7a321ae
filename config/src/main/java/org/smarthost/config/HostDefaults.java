package org.smarthost.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Defaults that Postfix computes from the host at run time rather than at build time:
 * {@code myhostname}, {@code mydomain}, {@code mynetworks}, {@code process_id}, {@code process_name}.
 * The rules follow Postfix: a hostname without a dot gets {@code .$mydomain} (or {@code .localdomain});
 * {@code mydomain} is {@code myhostname} minus its first label; {@code mynetworks} lists the local
 * interface networks according to {@code mynetworks_style}.
 */
public final class HostDefaults {
    static final String DEFAULT_DOMAIN = "localdomain";

    private HostDefaults() {
    }

    /** The kernel's host name, like gethostname(2). */
    public static String systemHostname() {
        try {
            Path p = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(p)) {
                String s = Files.readString(p).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            }
        } catch (IOException | SecurityException ignored) {
            // fall through to the JDK's view
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Default myhostname; {@code mydomain} is the expanded explicit setting, or null when unset. */
    public static String myhostname(String mydomain) {
        String host = systemHostname();
        if (host.indexOf('.') >= 0) {
            return host;
        }
        return host + "." + (mydomain != null ? mydomain : DEFAULT_DOMAIN);
    }

    /** Default mydomain for the given (expanded) myhostname. */
    public static String mydomain(String myhostname) {
        int dot = myhostname.indexOf('.');
        return dot < 0 ? DEFAULT_DOMAIN : myhostname.substring(dot + 1);
    }

    /**
     * Default mynetworks: the networks of the local interfaces, IPv4 before IPv6, in the given style
     * ({@code host}, {@code subnet} or {@code class}); {@code protocols} is the expanded inet_protocols.
     */
    public static String mynetworks(String style, String protocols) {
        String prot = protocols.toLowerCase(Locale.ROOT);
        boolean all = prot.contains("all");
        boolean v4 = all || prot.contains("ipv4");
        boolean v6 = all || prot.contains("ipv6");
        List<String> four = new ArrayList<>();
        List<String> six = new ArrayList<>();
        List<NetworkInterface> interfaces;
        try {
            interfaces = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (SocketException | NullPointerException e) {
            interfaces = List.of();
        }
        for (NetworkInterface ni : interfaces) {
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                if (a instanceof Inet4Address && v4) {
                    addUnique(four, network(a, prefix(style, a, ia.getNetworkPrefixLength()), false));
                } else if (a instanceof Inet6Address && v6) {
                    addUnique(six, network(a, prefix(style, a, ia.getNetworkPrefixLength()), true));
                }
            }
        }
        // The JDK lists interfaces in reverse index order; Postfix walks them in kernel order.
        four.sort(null);
        six.sort(null);
        List<String> out = new ArrayList<>(four);
        out.addAll(six);
        return String.join(" ", out);
    }

    private static void addUnique(List<String> list, String s) {
        if (!list.contains(s)) {
            list.add(s);
        }
    }

    private static int prefix(String style, InetAddress a, int interfacePrefix) {
        String s = style.trim().toLowerCase(Locale.ROOT);
        if (s.equals("host")) {
            return a.getAddress().length * 8;
        }
        if (s.equals("class") && a instanceof Inet4Address) {
            int first = a.getAddress()[0] & 0xff;
            return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
        }
        return interfacePrefix;
    }

    private static String network(InetAddress a, int prefix, boolean v6) {
        byte[] b = a.getAddress().clone();
        for (int i = 0; i < b.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - bitsHere));
        }
        try {
            InetAddress net = InetAddress.getByAddress(b);
            if (!v6) {
                return net.getHostAddress() + "/" + prefix;
            }
            return "[" + InetText.ntop(net) + "]/" + prefix;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
