package org.smarthost.streams.cleanup;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Postfix's mail_date(): RFC 5322 date in local time with the numeric offset and the zone
 * abbreviation in parentheses, day of month space-padded: "Wed,  2 Dec 2026 17:00:00 +0000 (UTC)".
 */
public final class MailDate {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, ppd MMM yyyy HH:mm:ss Z (zzz)", Locale.US);

    private MailDate() { }

    public static String format(Instant instant, ZoneId zone) {
        // A bare offset zone would print "(Z)"; Postfix prints the zone name, "(UTC)".
        if (zone.equals(ZoneOffset.UTC)) zone = ZoneId.of("UTC");
        return FORMAT.format(instant.atZone(zone));
    }
}
