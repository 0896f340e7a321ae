package org.smarthost.protocol.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Postfix's TLS protocol list syntax (smtpd_tls_protocols, smtpd_tls_mandatory_protocols):
 * "&gt;=TLSv1.2", "&lt;=TLSv1.3", "!SSLv3, !TLSv1" or plain names, separated by blanks, commas or
 * colons. Plain names list the only protocols allowed; "!" names take protocols away; the
 * bounds cut the range. The result is in JSSE's names, which are the same as OpenSSL's.
 */
public final class TlsProtocols {

    /** Oldest first, as Postfix orders them for the bounds. */
    private static final List<String> KNOWN = List.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** SSLv2 and SSLv3 are gone from JSSE; a list that allows only them leaves nothing. */
    private static final List<String> JSSE = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsProtocols() {
    }

    /**
     * The protocols a list enables.
     *
     * @throws IllegalArgumentException for a word Postfix would not accept, or when nothing is left
     */
    public static List<String> enabled(String spec) {
        int min = 0;
        int max = KNOWN.size() - 1;
        List<String> included = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (String word : spec.strip().split("[\\s,:]+")) {
            if (word.isEmpty()) continue;
            if (word.startsWith(">=")) {
                min = Math.max(min, index(word.substring(2), spec));
            } else if (word.startsWith("<=")) {
                max = Math.min(max, index(word.substring(2), spec));
            } else if (word.startsWith("!")) {
                excluded.add(KNOWN.get(index(word.substring(1), spec)));
            } else {
                included.add(KNOWN.get(index(word, spec)));
            }
        }
        List<String> result = new ArrayList<>();
        for (int i = min; i <= max; i++) {
            String p = KNOWN.get(i);
            if (!JSSE.contains(p) || excluded.contains(p)) continue;
            if (!included.isEmpty() && !included.contains(p)) continue;
            result.add(p);
        }
        if (result.isEmpty()) throw new IllegalArgumentException("Invalid TLS protocol list \"" + spec + "\"");
        return result;
    }

    private static int index(String name, String spec) {
        for (int i = 0; i < KNOWN.size(); i++) {
            if (KNOWN.get(i).toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) return i;
        }
        throw new IllegalArgumentException("Invalid TLS protocol list \"" + spec + "\"");
    }
}
