package org.smarthost.streams.cleanup;

import java.util.Locale;

/**
 * One header_checks(5)/body_checks action as a table returns it: the command word (case
 * insensitive) and the optional text after it, e.g. "REJECT no spam here" or "PREPEND X-Seen: yes".
 *
 * @param kind    the command, {@link Kind#UNKNOWN} for a word header_checks(5) does not define
 * @param command the command word as written
 * @param text    what follows the command and its blanks, "" when nothing does
 */
public record CheckAction(Kind kind, String command, String text) {

    /** header_checks(5) commands (Postfix's cleanup_act). */
    public enum Kind {
        REJECT, WARN, INFO, FILTER, PASS, DISCARD, HOLD, PREPEND, REPLACE, REDIRECT, BCC, STRIP, IGNORE,
        DUNNO, OK, UNKNOWN
    }

    /** Splits a table's value at the first blank, as Postfix does (the command's case does not matter). */
    public static CheckAction parse(String value) {
        int end = 0;
        while (end < value.length() && !isBlank(value.charAt(end))) end++;
        String command = value.substring(0, end);
        int start = end;
        while (start < value.length() && Character.isWhitespace(value.charAt(start))) start++;
        Kind kind;
        try {
            kind = command.isEmpty() ? Kind.UNKNOWN : Kind.valueOf(command.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            kind = Kind.UNKNOWN;
        }
        return new CheckAction(kind, command, value.substring(start));
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
