package org.smarthost.protocol.client;

import java.util.Locale;

/**
 * What a server advertised in its EHLO/LHLO reply.
 *
 * @param sizeLimit the SIZE value, 0 for "SIZE" without a limit, -1 when SIZE was not advertised
 */
public record EsmtpFeatures(boolean esmtp, boolean pipelining, long sizeLimit, boolean dsn,
                            boolean eightBitMime, boolean smtputf8, boolean startTls,
                            boolean enhancedStatusCodes) {

    /** A server that answered HELO only. */
    public static final EsmtpFeatures NONE = new EsmtpFeatures(false, false, -1, false, false, false, false, false);

    public static EsmtpFeatures parse(ServerReply ehlo) {
        boolean pipelining = false, dsn = false, eightBit = false, utf8 = false, tls = false, enhanced = false;
        long size = -1;
        // The first line is the server's greeting name; keywords follow.
        for (int i = 1; i < ehlo.lines().size(); i++) {
            String[] words = ehlo.lines().get(i).trim().split("\\s+");
            switch (words[0].toUpperCase(Locale.ROOT)) {
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
        return new EsmtpFeatures(true, pipelining, size, dsn, eightBit, utf8, tls, enhanced);
    }
}
