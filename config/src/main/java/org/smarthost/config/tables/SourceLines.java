package org.smarthost.config.tables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The logical lines of a table source file, as Postfix's readllines() makes them: comment lines
 * (first non-blank character '#') and blank lines are dropped, and a line that starts with
 * whitespace continues the one before. The pieces are joined as they are, without the newline:
 * the continuation keeps its leading whitespace, so "key a" + "  b" is "key a  b" (Postfix's
 * behaviour; values are trimmed only at their ends). A comment or blank line between the pieces
 * does not end the logical line.
 */
final class SourceLines {

    /** One logical line and the number of the physical line where it starts (for warnings). */
    record Line(int number, String text) {
    }

    private SourceLines() {
    }

    /**
     * @param file        where to read
     * @param displayName the file name for warnings, as the user wrote it
     * @throws IOException worded by {@link #reason}
     */
    static List<Line> read(Path file, String displayName, TableLog log) throws IOException {
        // bytes that are not UTF-8 become U+FFFD instead of failing the table: Postfix reads bytes
        return split(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), displayName, log);
    }

    static List<Line> split(String text, String displayName, TableLog log) {
        List<Line> out = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        int first = 0;
        String[] physical = text.split("\n", -1);
        int count = text.endsWith("\n") ? physical.length - 1 : physical.length;
        for (int i = 0; i < count; i++) {
            String line = physical[i];
            int start = skipSpace(line, 0);
            if (start == line.length() || line.charAt(start) == '#') continue;
            if (!isSpace(line.charAt(0)) && !logical.isEmpty()) {
                finish(out, first, logical, displayName, log);
            }
            if (logical.isEmpty()) first = i + 1;
            logical.append(line);
        }
        if (!logical.isEmpty()) finish(out, first, logical, displayName, log);
        return out;
    }

    private static void finish(List<Line> out, int first, StringBuilder logical, String displayName, TableLog log) {
        String text = logical.toString();
        logical.setLength(0);
        if (isSpace(text.charAt(0))) {
            // text before the first key: Postfix warns and goes on, so postmap never leaves half a table
            log.warning(displayName + ": logical line must not start with whitespace: \""
                    + (text.length() > 30 ? text.substring(0, 30) + "...\"" : text + "\""));
            return;
        }
        out.add(new Line(first, text));
    }

    /** C's isspace() in the "C" locale, which is what Postfix's ISSPACE() tests. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    static int skipSpace(String s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) i++;
        return i;
    }

    /** Without trailing whitespace (Postfix's trimblanks()). */
    static String trimEnd(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    /** The strerror() text Postfix would print for a failed open or read ("No such file or directory"). */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
