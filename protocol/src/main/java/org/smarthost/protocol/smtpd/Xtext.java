package org.smarthost.protocol.smtpd;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** RFC 3461 section 4 xtext: "+" followed by two upper-case hex digits encodes one octet. */
public final class Xtext {

    private Xtext() {
    }

    /** Decoded text, or null when {@code s} is not valid xtext. */
    public static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length()) return null;
                int hi = hex(s.charAt(i + 1)), lo = hex(s.charAt(i + 2));
                if (hi < 0 || lo < 0) return null;
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                return null;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
