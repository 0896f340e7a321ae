package org.smarthost.config.tables;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.smarthost.config.InetText;

/**
 * cidr:/file (cidr_table(5), Postfix's dict_cidr): rules "network/prefix result" or "address
 * result", IPv4 or IPv6, optionally "[...]" around the address, "!" to negate, and "if
 * network/prefix" ... "endif" blocks; the first matching rule wins. Keys are IP address strings
 * (the client address); anything else matches nothing. A bad rule is skipped with a warning
 * worded as Postfix's, so one typo does not take the whole table down.
 */
final class CidrTable extends NamedTable {

    /** One parsed line; {@code skipTo} of an IF is the index of its ENDIF (-1: none, skip to the end). */
    private record Rule(Kind kind, int line, byte[] network, int prefix, boolean match, String value, int[] skipTo) {
    }

    private enum Kind { MATCH, IF, ENDIF }

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private final List<Rule> rules;

    private CidrTable(String spec, List<Rule> rules) {
        super(spec, true);
        this.rules = rules;
    }

    static LookupTable open(String spec, String name, TableContext context) throws TableOpenException {
        List<SourceLines.Line> lines;
        try {
            lines = SourceLines.read(context.resolve(name), name, context.log());
        } catch (IOException e) {
            throw new TableOpenException("open " + name + ": " + SourceLines.reason(e));
        }
        List<Rule> rules = new ArrayList<>();
        Deque<Rule> open = new ArrayDeque<>();
        for (SourceLines.Line line : lines) {
            Rule rule;
            try {
                rule = parse(line, open.size());
            } catch (BadRule e) {
                context.log().warning("cidr map " + name + ", line " + line.number() + ": " + e.getMessage()
                        + ": skipping this rule");
                continue;
            }
            if (rule.kind() == Kind.IF) open.push(rule);
            if (rule.kind() == Kind.ENDIF) open.pop().skipTo()[0] = rules.size();
            rules.add(rule);
        }
        while (!open.isEmpty()) {
            context.log().warning("cidr map " + name + ", line " + open.pop().line() + ": IF has no matching ENDIF");
        }
        return new CidrTable(spec, List.copyOf(rules));
    }

    private static final class BadRule extends Exception {
        BadRule(String why) {
            super(why);
        }
    }

    private static Rule parse(SourceLines.Line line, int nesting) throws BadRule {
        String p = line.text();
        if (startsWithWord(p, "if")) {
            int i = 2;
            boolean match = true;
            for (; i < p.length(); i++) {
                if (p.charAt(i) == '!') match = !match;
                else if (!SourceLines.isSpace(p.charAt(i))) break;
            }
            if (i == p.length()) throw new BadRule("no address pattern");
            Network n = network(SourceLines.trimEnd(p.substring(i)));
            return new Rule(Kind.IF, line.number(), n.bytes(), n.prefix(), match, "", new int[] {-1});
        }
        if (startsWithWord(p, "endif")) {
            if (SourceLines.skipSpace(p, 5) != p.length()) throw new BadRule("garbage after ENDIF");
            if (nesting == 0) throw new BadRule("ENDIF without IF");
            return new Rule(Kind.ENDIF, line.number(), null, 0, true, "", null);
        }
        int i = 0;
        boolean match = true;
        for (; i < p.length(); i++) {
            if (p.charAt(i) == '!') match = !match;
            else if (!SourceLines.isSpace(p.charAt(i))) break;
        }
        int end = i;
        while (end < p.length() && !SourceLines.isSpace(p.charAt(end))) end++;
        String pattern = p.substring(i, end);
        String value = SourceLines.trimEnd(p.substring(SourceLines.skipSpace(p, end)));
        if (pattern.isEmpty()) throw new BadRule("no address pattern");
        Network n = network(pattern);
        if (value.isEmpty()) throw new BadRule("no lookup result");
        return new Rule(Kind.MATCH, line.number(), n.bytes(), n.prefix(), match, value, null);
    }

    /** "IF" or "ENDIF" as a word, in any case (Postfix's strncasecmp and !ISALNUM). */
    private static boolean startsWithWord(String p, String word) {
        return p.length() >= word.length() && p.substring(0, word.length()).toLowerCase(Locale.ROOT).equals(word)
                && (p.length() == word.length() || !Character.isLetterOrDigit(p.charAt(word.length())));
    }

    private record Network(byte[] bytes, int prefix) {
    }

    /** "addr", "addr/len", "[addr]", "[addr]/len" or "[addr/len]", checked as cidr_match.c checks it. */
    private static Network network(String pattern) throws BadRule {
        String text = pattern;
        String maskSearch;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) throw new BadRule("missing ']' character after \"" + text + "\"");
            String after = text.substring(close + 1);
            String inside = text.substring(1, close);
            if (!after.isEmpty() && !after.startsWith("/")) throw new BadRule("garbage after \"" + text.substring(0, close + 1) + "\"");
            text = inside + after;
        }
        maskSearch = text;
        int slash = maskSearch.indexOf('/');
        if (slash < 0) {
            byte[] addr = address(text);
            if (addr == null) throw new BadRule("bad address pattern: \"" + text + "\"");
            return new Network(addr, addr.length * 8);
        }
        String net = text.substring(0, slash);
        String mask = text.substring(slash + 1);
        int bits = net.indexOf(':') >= 0 ? 128 : 32;
        byte[] addr = address(net);
        String error = null;
        int prefix = -1;
        if (mask.isEmpty() || !mask.chars().allMatch(c -> c >= '0' && c <= '9')) {
            error = "bad mask value";
        } else if (mask.length() > 3 || (prefix = Integer.parseInt(mask)) > bits) {
            error = "bad mask length";
        } else if (addr == null) {
            error = "bad network value";
        }
        if (error != null) throw new BadRule(error + " in \"" + net + "/" + mask + "\"");
        byte[] masked = masked(addr, prefix);
        if (!java.util.Arrays.equals(masked, addr)) {
            throw new BadRule("non-null host address bits in \"" + net + "/" + mask + "\", perhaps you should use \""
                    + text(masked) + "/" + prefix + "\" instead");
        }
        return new Network(addr, prefix);
    }

    /**
     * An address in the strict form inet_pton(3) accepts, never a host name: IPv4 only as four
     * decimal parts, IPv6 ("::ffff:1.2.3.4" included) as 16 bytes. Null when it is not one.
     */
    static byte[] address(String text) {
        if (text.indexOf(':') < 0) {
            if (!IPV4.matcher(text).matches()) return null;
            String[] parts = text.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) b[i] = (byte) Integer.parseInt(parts[i]);
            return b;
        }
        if (!IPV6_CHARS.matcher(text).matches()) return null;      // keeps InetAddress from resolving names
        try {
            InetAddress a = InetAddress.getByName(text);
            byte[] b = a.getAddress();
            if (a instanceof Inet4Address) {                        // Java maps ::ffff:a.b.c.d to IPv4
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(b, 0, v6, 12, 4);
                return v6;
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] masked(byte[] addr, int prefix) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff00 >> keep);
        }
        return out;
    }

    private static String text(byte[] addr) {
        try {
            return InetText.ntop(InetAddress.getByAddress(addr));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<String> find(String key) {
        byte[] addr = address(key);
        if (addr == null) return Optional.empty();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            switch (rule.kind()) {
                case MATCH -> {
                    if (addr.length == rule.network().length && matches(rule, addr) == rule.match()) {
                        return Optional.of(rule.value());
                    }
                }
                case IF -> {
                    // an address of the other family never enters the block, negated or not
                    if (addr.length != rule.network().length || matches(rule, addr) != rule.match()) {
                        if (rule.skipTo()[0] < 0) return Optional.empty();
                        i = rule.skipTo()[0];
                    }
                }
                case ENDIF -> { }
            }
        }
        return Optional.empty();
    }

    private static boolean matches(Rule rule, byte[] addr) {
        return java.util.Arrays.equals(masked(addr, rule.prefix()), rule.network());
    }
}
