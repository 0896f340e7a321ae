package org.smarthost.app.cli;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The strftime(3) conversions Postfix users put in maillog_file_rotate_suffix. */
final class Strftime {

    private Strftime() {
    }

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                out.append(c);
                continue;
            }
            char f = pattern.charAt(++i);
            switch (f) {
                case 'Y' -> out.append(String.format("%04d", t.getYear()));
                case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> out.append(String.format("%2d", t.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case 'S' -> out.append(String.format("%02d", t.getSecond()));
                case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                case 's' -> out.append(t.toEpochSecond());
                case 'b' -> out.append(DateTimeFormatter.ofPattern("MMM", Locale.US).format(t));
                case 'F' -> out.append(DateTimeFormatter.ISO_LOCAL_DATE.format(t));
                case 'T' -> out.append(DateTimeFormatter.ofPattern("HH:mm:ss").format(t));
                case '%' -> out.append('%');
                default -> out.append('%').append(f);
            }
        }
        return out.toString();
    }
}
