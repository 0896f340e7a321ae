package org.smarthost.config.tables;

import java.util.Map;

/**
 * Rewrites regexp: (POSIX) and pcre: patterns into java.util.regex syntax where the meaning
 * differs, so that a Postfix table keeps matching what it matched under Postfix. See
 * {@link RegexpTable} for what cannot be carried over.
 */
final class RegexTranslation {

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("blank", "\\p{Blank}"));

    private RegexTranslation() {
    }

    /**
     * A POSIX regular expression, extended (ERE) or basic (BRE, regexp:'s "x" flag). GNU's \&lt;
     * and \&gt; become word boundaries; \` and \' the ends of the string.
     */
    static String posix(String re, boolean basic) {
        StringBuilder out = new StringBuilder(re.length() + 8);
        boolean atStart = true;             // where a BRE '*' is literal
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            boolean start = atStart;
            atStart = false;
            if (c == '[') {
                i = bracket(re, i, out, true);
                continue;
            }
            if (c == '\\' && i + 1 < re.length()) {
                char n = re.charAt(++i);
                switch (n) {
                    case '<' -> out.append("\\b(?=\\w)");
                    case '>' -> out.append("\\b(?<=\\w)");
                    case '`' -> out.append("\\A");
                    case '\'' -> out.append("\\z");
                    case '(', ')', '{', '}', '|', '+', '?' -> {
                        if (basic) {
                            out.append(n);
                            atStart = n == '(' || n == '|';
                        } else {
                            out.append('\\').append(n);
                        }
                    }
                    default -> out.append('\\').append(n);
                }
                continue;
            }
            if (basic && "(){}+?|".indexOf(c) >= 0) {
                out.append('\\').append(c);
            } else if (c == '*' && start) {
                out.append("\\*");
            } else if (c == '{' && !basic && !(i + 1 < re.length() && Character.isDigit(re.charAt(i + 1)))) {
                out.append("\\{");            // GNU: a brace that starts no interval is literal
            } else {
                out.append(c);
                atStart = !basic && (c == '(' || c == '|');
            }
        }
        return out.toString();
    }

    /**
     * A PCRE pattern. {@code dollarEndOnly}: "$" matches only at the very end (flag E);
     * {@code ungreedy}: quantifiers are lazy unless followed by "?" (flag U).
     */
    static String pcre(String re, boolean dollarEndOnly, boolean ungreedy) {
        StringBuilder out = new StringBuilder(re.length() + 8);
        boolean afterOpenParen = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            boolean groupStart = afterOpenParen;
            afterOpenParen = false;
            if (c == '[') {
                i = bracket(re, i, out, false);
                continue;
            }
            if (c == '\\' && i + 1 < re.length()) {
                if (re.charAt(i + 1) == 'Q') {          // \Q...\E: literal, copied untouched
                    int end = re.indexOf("\\E", i + 2);
                    end = end < 0 ? re.length() : end + 2;
                    out.append(re, i, end);
                    i = end - 1;
                } else {
                    out.append(c).append(re.charAt(++i));
                }
                continue;
            }
            if (c == '$' && dollarEndOnly) {
                out.append("\\z");
                continue;
            }
            out.append(c);
            if (c == '(') afterOpenParen = true;
            boolean quantifier = c == '*' || c == '+' || (c == '?' && !groupStart) || (c == '}' && closesInterval(out));
            if (ungreedy && quantifier) {
                if (i + 1 < re.length() && re.charAt(i + 1) == '?') {
                    i++;                                 // "x*?" under U is greedy
                } else if (!(i + 1 < re.length() && re.charAt(i + 1) == '+')) {
                    out.append('?');
                }
            }
        }
        return out.toString();
    }

    private static boolean closesInterval(StringBuilder out) {
        int open = out.lastIndexOf("{");
        return open >= 0 && out.substring(open + 1, out.length() - 1).matches("\\d+(,\\d*)?");
    }

    /**
     * Copies the bracket expression starting at {@code from} ("["), returns the index of its "]".
     * A "]" first is literal, POSIX classes become Java's, "[" and "&amp;&amp;" (Java's nesting and
     * intersection) are literal; in POSIX a backslash is literal too.
     */
    private static int bracket(String re, int from, StringBuilder out, boolean posix) {
        int i = from + 1;
        out.append('[');
        if (i < re.length() && re.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        if (i < re.length() && re.charAt(i) == ']') {
            out.append("\\]");
            i++;
        }
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == ']') {
                out.append(']');
                return i;
            }
            if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
                int end = re.indexOf(":]", i + 2);
                String cls = end < 0 ? null : POSIX_CLASSES.get(re.substring(i + 2, end));
                if (cls != null) {
                    out.append(cls);
                    i = end + 1;
                    continue;
                }
            }
            if (c == '\\') {
                if (posix) {
                    out.append("\\\\");
                } else if (i + 1 < re.length()) {
                    out.append(c).append(re.charAt(++i));
                }
                continue;
            }
            if (c == '[' || c == '&') {
                out.append('\\').append(c);
                continue;
            }
            out.append(c);
        }
        return re.length() - 1;           // unterminated: let the compiler report it
    }
}
