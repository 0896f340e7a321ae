package org.smarthost.protocol.dns;

import java.net.InetAddress;

/**
 * One address to try, in order: the MX (or plain) host name, one of its addresses, the TCP port
 * and the MX preference it came from (0 for hosts used without MX lookup).
 */
public record ServerAddress(String hostname, InetAddress address, int port, int preference) {

    /** Postfix's textual address: "192.0.2.1" or "2001:db8::1" (RFC 5952 form, no scope). */
    public String addressText() {
        return text(address);
    }

    /** An address as inet_ntop(3) writes it: IPv6 with the longest zero run as "::". */
    public static String text(InetAddress address) {
        if (!(address instanceof java.net.Inet6Address)) return address.getHostAddress();
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
