package org.smarthost.protocol.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a server advertised in its EHLO/LHLO reply.
 *
 * @param sizeLimit the SIZE value, 0 for "SIZE" without a limit, -1 when SIZE was not advertised
 * @param auth      the SASL mechanisms of the AUTH keyword, as the server wrote them (also the old
 *                  "AUTH=..." form; several AUTH lines are joined), or null when AUTH was not offered
 */
public record EsmtpFeatures(boolean esmtp, boolean pipelining, long sizeLimit, boolean dsn,
                            boolean eightBitMime, boolean smtputf8, boolean startTls,
                            boolean enhancedStatusCodes, List<String> auth) {

    /** A server that answered HELO only. */
    public static final EsmtpFeatures NONE = new EsmtpFeatures(false, false, -1, false, false, false, false, false, null);

    public EsmtpFeatures {
        if (auth != null) auth = List.copyOf(auth);
    }

    public static EsmtpFeatures parse(ServerReply ehlo) {
        boolean pipelining = false, dsn = false, eightBit = false, utf8 = false, tls = false, enhanced = false;
        long size = -1;
        Set<String> auth = null;
        // The first line is the server's greeting name; keywords follow.
        for (int i = 1; i < ehlo.lines().size(); i++) {
            String line = ehlo.lines().get(i).trim();
            // "AUTH=LOGIN PLAIN": the form of an old draft that Microsoft's servers still send
            if (line.regionMatches(true, 0, "AUTH=", 0, 5)) line = "AUTH " + line.substring(5);
            String[] words = line.split("\\s+");
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "AUTH" -> {
                    if (auth == null) auth = new LinkedHashSet<>();
                    auth.addAll(Arrays.asList(words).subList(1, words.length));
                }
                case "PIPELINING" -> pipelining = true;
                case "DSN" -> dsn = true;
                case "8BITMIME" -> eightBit = true;
                case "SMTPUTF8" -> utf8 = true;
                case "STARTTLS" -> tls = true;
                case "ENHANCEDSTATUSCODES" -> enhanced = true;
                case "SIZE" -> {
                    size = 0;
                    if (words.length > 1) {
                        try {
                            size = Long.parseLong(words[1]);
                        } catch (NumberFormatException e) {
                            size = 0;
                        }
                    }
                }
                default -> { }
            }
        }
        return new EsmtpFeatures(true, pipelining, size, dsn, eightBit, utf8, tls, enhanced,
                auth == null ? null : new ArrayList<>(auth));
    }
}
