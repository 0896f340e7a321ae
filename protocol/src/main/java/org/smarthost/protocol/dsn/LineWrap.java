package org.smarthost.protocol.dsn;

import java.util.ArrayList;
import java.util.List;

/**
 * Postfix's line_wrap(): break a long line at blanks so lines stay within {@code width},
 * continuation lines indented by {@code indent} blanks (which count against the width).
 * A single word longer than the width is not broken.
 */
final class LineWrap {

    private LineWrap() { }

    static List<String> wrap(String text, int width, int indent) {
        List<String> out = new ArrayList<>();
        int currIndent = 0;
        int currLen = width;
        int startLine = 0;
        int word = 0;
        while (word >= 0) {
            int nextSpace = nextBlank(text, word);
            if (word > startLine && nextSpace - startLine > currLen) {
                out.add(" ".repeat(currIndent) + trimEnd(text.substring(startLine, word)));
                while (word < text.length() && isBlank(text.charAt(word))) word++;
                if (startLine == 0) {
                    currIndent += indent;
                    currLen -= indent;
                }
                startLine = word;
            }
            word = nextSpace < text.length() ? nextSpace + 1 : -1;
        }
        out.add(" ".repeat(currIndent) + trimEnd(text.substring(startLine)));
        return out;
    }

    private static int nextBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) if (isBlank(s.charAt(i))) return i;
        return s.length();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String trimEnd(String s) {
        int n = s.length();
        while (n > 0 && Character.isWhitespace(s.charAt(n - 1))) n--;
        return s.substring(0, n);
    }
}
