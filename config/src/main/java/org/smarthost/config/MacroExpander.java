package org.smarthost.config;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Postfix {@code $name} expansion (mac_expand semantics): {@code $name}, {@code ${name}}, {@code $(name)},
 * {@code ${name?text}} (text when name is non-empty), {@code ${name:text}} (text when name is empty),
 * {@code ${name?{text1}:{text2}}}, the relational form {@code ${{a} op {b} ? {t} : {f}}} with
 * {@code == != < <= > >=} (numbers) and {@code <level <=level >level >=level ==level !=level}
 * (compatibility levels), and {@code $$} for a literal dollar. Referenced values are expanded
 * recursively; undefined names expand to nothing. Deep recursion is a loop and fails like Postfix.
 */
public final class MacroExpander {
    static final int MAX_DEPTH = 100;

    private final Function<String, String> lookup;
    private final Set<String> scanned;

    private MacroExpander(Function<String, String> lookup, Set<String> scanned) {
        this.lookup = lookup;
        this.scanned = scanned;
    }

    /**
     * Expands {@code text}; {@code lookup} returns the unexpanded value of a name, or null when the name
     * is undefined.
     */
    public static String expand(String text, Function<String, String> lookup) {
        return new MacroExpander(lookup, null).expand(text, 0);
    }

    /** Every parameter name {@code text} refers to, in every branch, without looking anything up. */
    public static Set<String> scan(String text) {
        Set<String> names = new LinkedHashSet<>();
        new MacroExpander(n -> null, names).expand(text, 0);
        return names;
    }

    private boolean scanning() {
        return scanned != null;
    }

    private String value(String name, int depth) {
        if (scanning()) {
            scanned.add(name);
            return "";
        }
        if (depth >= MAX_DEPTH) {
            throw new ConfigException("unreasonable macro call nesting: \"" + name + "\"");
        }
        String raw = lookup.apply(name);
        return raw == null ? null : expand(raw, depth + 1);
    }

    private String expand(String text, int depth) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= n) {
                throw new ConfigException("empty macro name: \"" + text + "\"");
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{' || next == '(') {
                char close = next == '{' ? '}' : ')';
                int end = matching(text, i + 1, next, close);
                if (end < 0) {
                    throw new ConfigException("truncated macro reference: \"" + text + "\"");
                }
                if (text.substring(i + 2, end).isBlank()) {
                    throw new ConfigException("empty macro name: \"" + text + "\"");
                }
                out.append(braced(text.substring(i + 2, end), depth));
                i = end + 1;
            } else if (isNameChar(next)) {
                int j = i + 1;
                while (j < n && isNameChar(text.charAt(j))) {
                    j++;
                }
                String v = value(text.substring(i + 1, j), depth);
                if (v != null) {
                    out.append(v);
                }
                i = j;
            } else {
                throw new ConfigException("empty macro name: \"" + text + "\"");
            }
        }
        return out.toString();
    }

    private String braced(String body, int depth) {
        String b = body.strip();
        if (b.startsWith("{")) {
            return relational(b, depth);
        }
        int j = 0;
        while (j < b.length() && isNameChar(b.charAt(j))) {
            j++;
        }
        if (j == 0) {
            throw new ConfigException("syntax error: missing parameter name in \"${" + body + "}\"");
        }
        String name = b.substring(0, j);
        String rest = b.substring(j).stripLeading();
        String v = value(name, depth);
        boolean nonEmpty = v != null && !v.isEmpty();
        if (rest.isEmpty()) {
            return v == null ? "" : v;
        }
        char op = rest.charAt(0);
        String arg = rest.substring(1);
        if (op == '?' && arg.stripLeading().startsWith("{") && isBracedAlternative(arg.stripLeading())) {
            // ${name?{text1}:{text2}}, the ":{text2}" part being optional
            String a = arg.stripLeading();
            int e1 = matching(a, 0, '{', '}');
            if (e1 < 0) {
                throw new ConfigException("syntax error: missing '}' in \"${" + body + "}\"");
            }
            String whenSet = a.substring(1, e1);
            String after = a.substring(e1 + 1).strip();
            String whenUnset = "";
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new ConfigException("syntax error: expected ':' in \"${" + body + "}\"");
                }
                String f = after.substring(1).strip();
                int e2 = f.startsWith("{") ? matching(f, 0, '{', '}') : -1;
                if (e2 != f.length() - 1) {
                    throw new ConfigException("syntax error: expected '{text}' in \"${" + body + "}\"");
                }
                whenUnset = f.substring(1, e2);
            }
            if (scanning()) {
                expand(whenSet, depth);
                expand(whenUnset, depth);
                return "";
            }
            return expand(nonEmpty ? whenSet : whenUnset, depth);
        }
        if (op == '?' || op == ':') {
            if (scanning()) {
                expand(arg, depth);
                return "";
            }
            boolean use = op == '?' ? nonEmpty : !nonEmpty;
            return use ? expand(arg, depth) : "";
        }
        throw new ConfigException("syntax error: unexpected '" + op + "' in \"${" + body + "}\"");
    }

    /** Whether text is {@code {t}} or {@code {t}:{f}}; anything else is the legacy {@code ?text} form. */
    private static boolean isBracedAlternative(String a) {
        int e1 = matching(a, 0, '{', '}');
        if (e1 < 0) {
            return false;
        }
        String after = a.substring(e1 + 1).strip();
        if (after.isEmpty()) {
            return true;
        }
        if (!after.startsWith(":")) {
            return false;
        }
        String f = after.substring(1).strip();
        return f.startsWith("{") && matching(f, 0, '{', '}') == f.length() - 1;
    }

    /** {@code {a} op {b} ? {t} : {f}} (the branches being optional, giving "" when absent). */
    private String relational(String b, int depth) {
        int e1 = matching(b, 0, '{', '}');
        if (e1 < 0) {
            throw new ConfigException("syntax error: missing '}' in \"${" + b + "}\"");
        }
        String left = b.substring(1, e1);
        String rest = b.substring(e1 + 1).strip();
        int opEnd = 0;
        while (opEnd < rest.length() && !Character.isWhitespace(rest.charAt(opEnd)) && rest.charAt(opEnd) != '{') {
            opEnd++;
        }
        String op = rest.substring(0, opEnd);
        rest = rest.substring(opEnd).strip();
        int e2 = rest.startsWith("{") ? matching(rest, 0, '{', '}') : -1;
        if (e2 < 0) {
            throw new ConfigException("syntax error: missing right operand in \"${" + b + "}\"");
        }
        String right = rest.substring(1, e2);
        rest = rest.substring(e2 + 1).strip();
        String whenTrue = null;
        String whenFalse = null;
        if (rest.startsWith("?")) {
            rest = rest.substring(1).strip();
            int e3 = rest.startsWith("{") ? matching(rest, 0, '{', '}') : -1;
            if (e3 < 0) {
                throw new ConfigException("syntax error: expected '{text}' after '?' in \"${" + b + "}\"");
            }
            whenTrue = rest.substring(1, e3);
            rest = rest.substring(e3 + 1).strip();
            if (rest.startsWith(":")) {
                rest = rest.substring(1).strip();
                int e4 = rest.startsWith("{") ? matching(rest, 0, '{', '}') : -1;
                if (e4 < 0) {
                    throw new ConfigException("syntax error: expected '{text}' after ':' in \"${" + b + "}\"");
                }
                whenFalse = rest.substring(1, e4);
                rest = rest.substring(e4 + 1).strip();
            }
        }
        if (!rest.isEmpty()) {
            throw new ConfigException("syntax error: unexpected text \"" + rest + "\" in \"${" + b + "}\"");
        }
        String l = expand(left, depth).strip();
        String r = expand(right, depth).strip();
        if (scanning()) {
            if (whenTrue != null) {
                expand(whenTrue, depth);
            }
            if (whenFalse != null) {
                expand(whenFalse, depth);
            }
            return "";
        }
        boolean result = compare(l, op, r);
        String branch = result ? whenTrue : whenFalse;
        return branch == null ? "" : expand(branch, depth);
    }

    private static boolean compare(String l, String op, String r) {
        if (op.endsWith("level")) {
            int c = compareLevels(l, r);
            return switch (op) {
                case "<level" -> c < 0;
                case "<=level" -> c <= 0;
                case ">level" -> c > 0;
                case ">=level" -> c >= 0;
                case "==level" -> c == 0;
                case "!=level" -> c != 0;
                default -> throw new ConfigException("unknown operator: \"" + op + "\"");
            };
        }
        switch (op) {
            case "==":
                return l.equals(r);
            case "!=":
                return !l.equals(r);
            default:
                break;
        }
        long a = number(l);
        long b = number(r);
        return switch (op) {
            case "<" -> a < b;
            case "<=" -> a <= b;
            case ">" -> a > b;
            case ">=" -> a >= b;
            default -> throw new ConfigException("unknown operator: \"" + op + "\"");
        };
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ConfigException("\"" + s + "\": bad numerical value");
        }
    }

    /** Compares compatibility levels such as "2", "3.6" and "3.6.1" component by component. */
    public static int compareLevels(String a, String b) {
        long[] x = level(a);
        long[] y = level(b);
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static long[] level(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length > 3) {
            throw new ConfigException("malformed compatibility level: \"" + s + "\"");
        }
        long[] out = new long[3];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new ConfigException("malformed compatibility level: \"" + s + "\"");
            }
        }
        return out;
    }

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** Index of the bracket closing the one at {@code open}, counting nesting; -1 if none. */
    private static int matching(String s, int open, char o, char c) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == o) {
                level++;
            } else if (ch == c) {
                level--;
                if (level == 0) {
                    return i;
                }
            }
        }
        return -1;
    }
}
