package org.smarthost.config.tables;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * The result text of a regexp: or pcre: rule, parsed once as Postfix's mac_parse() reads it:
 * "$1", "${1}" and "$(1)" name a group of the match, "$$" is one dollar, anything else is
 * literal. A group that took no part in the match expands to nothing.
 *
 * @param parts     literal strings and group numbers (Integer), in order
 * @param maxGroup  the highest group named, 0 for a literal result
 * @param badIndex  a name that is not a group number ("$x", "$0"), else null
 * @param error     mac_parse's own complaint ("empty macro name: ..."), else null
 */
record Replacement(List<Object> parts, int maxGroup, String badIndex, String error) {

    static Replacement parse(String text) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int max = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
                literal.append('$');
                i += 2;
                continue;
            }
            i++;
            String name;
            if (i < text.length() && (text.charAt(i) == '{' || text.charAt(i) == '(')) {
                char open = text.charAt(i), close = open == '{' ? '}' : ')';
                int level = 1, end = i + 1;
                for (; end < text.length() && level > 0; end++) {
                    if (text.charAt(end) == open) level++;
                    else if (text.charAt(end) == close) level--;
                }
                if (level > 0) return failed("truncated macro reference: \"" + text + "\"");
                name = text.substring(i + 1, end - 1);
                i = end;
            } else {
                int end = i;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) end++;
                name = text.substring(i, end);
                i = end;
            }
            if (name.isEmpty()) return failed("empty macro name: \"" + text + "\"");
            if (!name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return new Replacement(List.of(), 0, name, null);
            int group = name.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(name);
            if (group < 1) return new Replacement(List.of(), 0, name, null);
            if (!literal.isEmpty()) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(group);
            max = Math.max(max, group);
        }
        if (!literal.isEmpty()) parts.add(literal.toString());
        return new Replacement(List.copyOf(parts), max, null, null);
    }

    private static Replacement failed(String error) {
        return new Replacement(List.of(), 0, null, error);
    }

    /** The result for a match ({@code m} may be null when no group is named). */
    String expand(Matcher m) {
        if (parts.size() == 1 && parts.get(0) instanceof String s) return s;
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.append(s);
            } else {
                String g = m.group((Integer) part);
                if (g != null) out.append(g);
            }
        }
        return out.toString();
    }
}
