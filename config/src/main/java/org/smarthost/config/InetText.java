package org.smarthost.config;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Addresses written as Postfix writes them (inet_ntop, RFC 5952), where the JDK prints every IPv6 group in full. */
public final class InetText {

    private InetText() {
    }

    /**
     * IPv4 as a dotted quad (the JDK already makes an IPv4-mapped address an Inet4Address); IPv6
     * in lower case with the longest run of two or more zero groups written "::", no scope.
     */
    public static String ntop(InetAddress a) {
        if (!(a instanceof Inet6Address)) return a.getHostAddress();
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) bestStart = -1;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
