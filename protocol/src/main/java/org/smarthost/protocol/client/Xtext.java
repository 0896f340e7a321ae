package org.smarthost.protocol.client;

import java.nio.charset.StandardCharsets;

/** RFC 3461 xtext encoding for ENVID= and ORCPT= values. */
final class Xtext {

    private Xtext() { }

    static String encode(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= '!' && c <= '~' && c != '+' && c != '=') sb.append((char) c);
            else sb.append('+').append(String.format("%02X", c));
        }
        return sb.toString();
    }

    /** "rfc822;user@example.com" becomes "rfc822;user@example.com" with the address part xtext-encoded. */
    static String orcpt(String orcpt) {
        int semi = orcpt.indexOf(';');
        if (semi < 0) return "rfc822;" + encode(orcpt);
        return orcpt.substring(0, semi).trim() + ";" + encode(orcpt.substring(semi + 1).trim());
    }
}
