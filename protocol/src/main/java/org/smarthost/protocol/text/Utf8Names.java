package org.smarthost.protocol.text;

import java.net.IDN;

/**
 * Addresses and domain names in UTF-8 (SMTPUTF8 mail): whether a text is plain ASCII, and a
 * domain's IDNA A-label form, the one DNS and Postfix's valid_utf8_hostname() go by.
 */
public final class Utf8Names {

    private Utf8Names() {
    }

    public static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    /**
     * The domain as DNS knows it: itself when ASCII, else its A-label form.
     *
     * @throws IllegalArgumentException when a UTF-8 name has no A-label form
     */
    public static String toAscii(String domain) {
        return isAscii(domain) ? domain : IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
    }
}
