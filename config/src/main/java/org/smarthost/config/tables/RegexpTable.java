package org.smarthost.config.tables;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * regexp:/file and pcre:/file (regexp_table(5), pcre_table(5)): rules "/pattern/flags result",
 * any delimiter, "!/pattern/" to negate, "if /pattern/" ... "endif" blocks; the first matching
 * rule wins and $1, ${1}, $(1) in the result are replaced by what the pattern's groups matched
 * ($$ is a dollar). Matching is case-insensitive unless the "i" flag turns that off. A bad rule is
 * skipped with a warning worded as Postfix's.
 *
 * <p>Both run on java.util.regex. Where that differs from Postfix's engines:
 * <ul>
 * <li>regexp: (POSIX ERE) POSIX takes the leftmost-longest of several alternatives, Java the
 *     first that matches, so "(a|ab)" captures "a" where POSIX captures "ab". POSIX bracket
 *     expressions are translated: "[[:alpha:]]" works, "]" first in a bracket is literal, a
 *     backslash inside brackets is literal. "x" (basic regular expressions, BRE) is translated:
 *     \( \) \{ \} group and count, ( ) { } + ? | are literal. GNU's word boundaries \&lt; \&gt; and
 *     string ends \` \' are translated too. Lookaheads, lazy quantifiers and \d, which POSIX
 *     lacks, are accepted rather than rejected. "$" also matches before a final newline (POSIX:
 *     only at the very end); lookup keys rarely end in one.</li>
 * <li>pcre: flags i m s x as PCRE; A anchors the match at the start; E makes $ match only at the
 *     very end; U swaps greedy and lazy quantifiers; X is ignored with a warning, as by Postfix
 *     built with PCRE2 (Java already rejects unknown escapes, as PCRE_EXTRA did). PCRE-only
 *     syntax such as recursion (?R), (*VERB)s and \K is rejected by Java; such a rule is skipped
 *     with the compiler's message.</li>
 * </ul>
 */
final class RegexpTable extends NamedTable {

    /** What differs between the two types: messages, flags and defaults. */
    enum Dialect {
        REGEXP("regexp", "skipping this rule"),
        PCRE("pcre", "ignoring this rule");

        final String type;
        final String noClosingDelimiter;

        Dialect(String type, String noClosingDelimiter) {
            this.type = type;
            this.noClosingDelimiter = noClosingDelimiter;
        }
    }

    private enum Kind { MATCH, IF, ENDIF }

    /** One compiled pattern: "A" anchors it (pcre), else it may match anywhere. */
    private record Compiled(Pattern pattern, boolean anchored, boolean match) {
        boolean test(String key) {
            Matcher m = pattern.matcher(key);
            return (anchored ? m.lookingAt() : m.find()) == match;
        }
    }

    /** One rule; {@code second} is regexp's "/pat1/!/pat2/"; {@code skipTo} of an IF is its ENDIF's index. */
    private record Rule(Kind kind, int line, Compiled first, Compiled second, Replacement result, int[] skipTo) {
    }

    private final List<Rule> rules;

    private RegexpTable(String spec, List<Rule> rules) {
        super(spec, true);
        this.rules = rules;
    }

    static LookupTable open(Dialect dialect, String spec, String name, TableContext context) throws TableOpenException {
        List<SourceLines.Line> lines;
        try {
            lines = SourceLines.read(context.resolve(name), name, context.log());
        } catch (IOException e) {
            throw new TableOpenException("open " + name + ": " + SourceLines.reason(e));
        }
        Parser parser = new Parser(dialect, name, context.log());
        List<Rule> rules = new ArrayList<>();
        Deque<Rule> open = new ArrayDeque<>();
        for (SourceLines.Line line : lines) {
            String text = SourceLines.trimEnd(line.text());
            if (text.isEmpty()) continue;
            Rule rule = parser.rule(line.number(), text, open.size());
            if (rule == null) continue;
            if (rule.kind() == Kind.IF) open.push(rule);
            if (rule.kind() == Kind.ENDIF) open.pop().skipTo()[0] = rules.size();
            rules.add(rule);
        }
        while (!open.isEmpty()) {
            parser.warn(open.pop().line(), "IF has no matching ENDIF");
        }
        return new RegexpTable(spec, List.copyOf(rules));
    }

    @Override
    public Optional<String> find(String key) {
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            switch (rule.kind()) {
                case MATCH -> {
                    Matcher m = rule.first().pattern().matcher(key);
                    boolean found = rule.first().anchored() ? m.lookingAt() : m.find();
                    if (found != rule.first().match()) continue;
                    if (rule.second() != null && !rule.second().test(key)) continue;
                    return Optional.of(rule.result().expand(found ? m : null));
                }
                case IF -> {
                    if (!rule.first().test(key)) {
                        if (rule.skipTo()[0] < 0) return Optional.empty();
                        i = rule.skipTo()[0];
                    }
                }
                case ENDIF -> { }
            }
        }
        return Optional.empty();
    }

    /** Reads rules, warning about the bad ones as dict_regexp.c and dict_pcre.c do. */
    private static final class Parser {
        private final Dialect dialect;
        private final String name;
        private final TableLog log;

        Parser(Dialect dialect, String name, TableLog log) {
            this.dialect = dialect;
            this.name = name;
            this.log = log;
        }

        void warn(int line, String text) {
            log.warning(dialect.type + " map " + name + ", line " + line + ": " + text);
        }

        /** A pattern with its delimiters, flags and negations, still uncompiled. */
        private record Source(String regex, String flags, boolean match, int end) {
        }

        Rule rule(int line, String p, int nesting) {
            if (!Character.isLetterOrDigit(p.charAt(0))) {
                return matchRule(line, p);
            }
            if (startsWithWord(p, "if")) {
                Source s = pattern(line, p, SourceLines.skipSpace(p, 2), false);
                if (s == null) return null;
                int rest = SourceLines.skipSpace(p, s.end());
                if (rest < p.length()) {
                    warn(line, "ignoring extra text after IF statement: \"" + p.substring(rest) + "\"");
                    warn(line, "do not prepend whitespace to statements between IF and ENDIF");
                }
                Compiled c = compile(line, s);
                return c == null ? null : new Rule(Kind.IF, line, c, null, null, new int[] {-1});
            }
            if (startsWithWord(p, "endif")) {
                if (nesting == 0) {
                    warn(line, "ignoring ENDIF without matching IF");
                    return null;
                }
                if (SourceLines.skipSpace(p, 5) < p.length()) warn(line, "ignoring extra text after ENDIF");
                return new Rule(Kind.ENDIF, line, null, null, null, null);
            }
            warn(line, "ignoring unrecognized request");
            return null;
        }

        private Rule matchRule(int line, String p) {
            Source first = pattern(line, p, 0, true);
            if (first == null) return null;
            int at = first.end();
            Source second = null;
            if (dialect == Dialect.REGEXP && at < p.length() && p.charAt(at) == '!') {
                second = pattern(line, p, at, true);
                if (second == null) return null;
                at = second.end();
            }
            at = SourceLines.skipSpace(p, at);
            String text = p.substring(at);
            if (text.isEmpty()) warn(line, "no replacement text: using empty string");
            Replacement result = Replacement.parse(text);
            if (result.error() != null) {
                log.warning(result.error());
                warn(line, "bad replacement syntax: skipping this rule");
                return null;
            }
            if (result.badIndex() != null) {
                warn(line, (result.badIndex().chars().allMatch(Character::isDigit)
                        ? (dialect == Dialect.REGEXP ? "out-of-range" : "out of range") : "non-numeric")
                        + " replacement index \"" + result.badIndex() + "\"");
                warn(line, "bad replacement syntax: skipping this rule");
                return null;
            }
            if (result.maxGroup() > 0 && !first.match()) {
                warn(line, "$number found in negative match replacement text: skipping this rule");
                return null;
            }
            Compiled c1 = compile(line, first);
            if (c1 == null) return null;
            int groups = c1.pattern().matcher("").groupCount();
            if (result.maxGroup() > groups) {
                warn(line, "out of range replacement index \"" + result.maxGroup() + "\": skipping this rule");
                return null;
            }
            Compiled c2 = second == null ? null : compile(line, second);
            if (second != null && c2 == null) return null;
            return new Rule(Kind.MATCH, line, c1, c2, result, null);
        }

        /** "!!/re/flags" from {@code from}: negations, the delimiter, the expression, the flags. */
        private Source pattern(int line, String p, int from, boolean allowBang) {
            int i = from;
            boolean match = true;
            for (; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c == '!') match = !match;
                else if (!SourceLines.isSpace(c)) break;
            }
            if (i == p.length()) {
                warn(line, "no regexp: skipping this rule");
                return null;
            }
            char delimiter = p.charAt(i++);
            int start = i;
            for (; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c == '\\') {
                    if (i + 1 < p.length()) i++;
                    else { i = p.length(); break; }
                } else if (c == delimiter) {
                    break;
                }
            }
            if (i >= p.length()) {
                warn(line, "no closing regexp delimiter \"" + delimiter + "\": " + dialect.noClosingDelimiter);
                return null;
            }
            String regex = p.substring(start, i);
            int flagStart = ++i;
            while (i < p.length() && !SourceLines.isSpace(p.charAt(i)) && !(dialect == Dialect.REGEXP && p.charAt(i) == '!')) {
                if ((dialect == Dialect.REGEXP ? "imx" : "imsxAEUX").indexOf(p.charAt(i)) < 0) {
                    warn(line, "unknown regexp option \"" + p.charAt(i) + "\": skipping this rule");
                    return null;
                }
                if (p.charAt(i) == 'X') {
                    // as Postfix built with PCRE2, which dropped PCRE_EXTRA
                    warn(line, "ignoring obsolete regexp option \"X\"");
                }
                i++;
            }
            return new Source(regex, p.substring(flagStart, i), match, i);
        }

        private Compiled compile(int line, Source s) {
            boolean icase = true;
            boolean newline = false;        // regexp "m": REG_NEWLINE; pcre "m": multiline
            boolean dotall = dialect == Dialect.PCRE;
            boolean extended = true;        // regexp "x" turns ERE off (BRE); pcre "x" turns comments on
            boolean anchored = false, dollarEndOnly = false, ungreedy = false;
            for (char f : s.flags().toCharArray()) {
                switch (f) {
                    case 'i' -> icase = !icase;
                    case 'm' -> newline = !newline;
                    case 's' -> dotall = !dotall;
                    case 'x' -> extended = !extended;
                    case 'A' -> anchored = !anchored;
                    case 'E' -> dollarEndOnly = !dollarEndOnly;
                    case 'U' -> ungreedy = !ungreedy;
                    default -> { }  // X: nothing to do in Java
                }
            }
            int flags = icase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
            String regex;
            if (dialect == Dialect.REGEXP) {
                // POSIX: without REG_NEWLINE "." matches a newline and ^ $ only at the ends
                flags |= newline ? Pattern.MULTILINE : Pattern.DOTALL;
                regex = RegexTranslation.posix(s.regex(), !extended);
            } else {
                if (newline) flags |= Pattern.MULTILINE;
                if (dotall) flags |= Pattern.DOTALL;
                if (!extended) flags |= Pattern.COMMENTS;
                regex = RegexTranslation.pcre(s.regex(), dollarEndOnly && !newline, ungreedy);
            }
            try {
                return new Compiled(Pattern.compile(regex, flags), anchored, s.match());
            } catch (PatternSyntaxException e) {
                if (dialect == Dialect.PCRE) {
                    warn(line, "error in regex at offset " + Math.max(0, e.getIndex()) + ": " + e.getDescription());
                } else {
                    warn(line, e.getDescription());
                }
                return null;
            }
        }
    }

    static boolean startsWithWord(String p, String word) {
        return p.length() >= word.length() && p.substring(0, word.length()).toLowerCase(Locale.ROOT).equals(word)
                && (p.length() == word.length() || !Character.isLetterOrDigit(p.charAt(word.length())));
    }
}
