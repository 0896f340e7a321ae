package org.smarthost.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * master.cf as Postfix reads it: comment and blank lines, continuation lines, eight whitespace-separated
 * fields (service, type, private, unpriv, chroot, wakeup, maxproc, command) followed by arguments,
 * with {@code { ... }} grouping (Postfix 3.0) e.g. {@code -o { smtpd_banner = a b }}.
 */
public final class MasterCf {
    static final Set<String> TYPES = Set.of("inet", "unix", "unix-dgram", "fifo", "pass");

    private final String displayName;
    private final String text;
    private final List<MasterService> services;
    private final List<String> warnings;

    private MasterCf(String displayName, String text, List<MasterService> services, List<String> warnings) {
        this.displayName = displayName;
        this.text = text;
        this.services = List.copyOf(services);
        this.warnings = List.copyOf(warnings);
    }

    public static MasterCf read(Path file) {
        return parse(file.toString(), MainCf.readText(file));
    }

    public static MasterCf parse(String displayName, String text) {
        List<MasterService> services = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> lines = MainCf.splitLines(text);
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i).stripTrailing();
            String content = line.stripLeading();
            if (content.isEmpty() || content.startsWith("#")) {
                i++;
                continue;
            }
            int first = i + 1;
            StringBuilder logical = new StringBuilder(line);
            boolean orphan = content.length() != line.length();
            for (i++; i < lines.size(); i++) {
                String next = lines.get(i).stripTrailing();
                String nc = next.stripLeading();
                if (nc.isEmpty() || nc.startsWith("#")) {
                    continue;
                }
                if (nc.length() == next.length()) {
                    break;
                }
                logical.append(' ').append(nc);
            }
            if (orphan) {
                warnings.add(displayName + ": logical line must not start with whitespace: \""
                        + MainCf.printable(logical.toString()) + "\"");
                continue;
            }
            services.add(parseEntry(displayName, first, logical.toString(), warnings));
        }
        return new MasterCf(displayName, text, services, warnings);
    }

    /** Parses one logical master.cf line of a file. */
    public static MasterService parseEntry(String displayName, int line, String text, List<String> warnings) {
        try {
            return parseEntry(text, line, warnings);
        } catch (FieldCountException e) {
            throw new ConfigException("file " + displayName + ": line " + line + ": bad field count");
        }
    }

    /** Thrown for an entry with fewer than eight fields; callers word the message for their context. */
    public static final class FieldCountException extends ConfigException {
        FieldCountException() {
            super("bad field count");
        }
    }

    /**
     * Parses one master.cf entry (e.g. a postconf -Me value): {@link FieldCountException} when fields
     * are missing, a {@link ConfigException} naming the bad field otherwise.
     */
    public static MasterService parseEntry(String text, int line, List<String> warnings) {
        List<String> tokens = tokenize(text, warnings);
        if (tokens.size() < 8) {
            throw new FieldCountException();
        }
        String type = tokens.get(1);
        if (!TYPES.contains(type)) {
            throw invalid("type", type, text);
        }
        checkYesNo("private", tokens.get(2), text);
        checkYesNo("unprivileged", tokens.get(3), text);
        checkYesNo("chroot", tokens.get(4), text);
        if (!tokens.get(5).matches("-|[0-9]+\\??")) {
            throw invalid("wakeup", tokens.get(5), text);
        }
        if (!tokens.get(6).matches("-|[0-9]+")) {
            throw invalid("process_limit", tokens.get(6), text);
        }
        List<String> args = new ArrayList<>(tokens.subList(8, tokens.size()));
        for (int k = 0; k + 1 < args.size(); k++) {
            if (args.get(k).equals("-o")) {
                String[] nv = MainCf.splitNameValue(args.get(k + 1));
                if (nv.length == 2) {
                    args.set(k + 1, nv[0] + "=" + nv[1]);
                }
                k++;
            }
        }
        return new MasterService(tokens.get(0), type, tokens.get(2), tokens.get(3), tokens.get(4),
                tokens.get(5), tokens.get(6), tokens.get(7), args, line);
    }

    private static void checkYesNo(String field, String value, String text) {
        if (!value.equals("y") && !value.equals("n") && !value.equals("-")) {
            throw invalid(field, value, text);
        }
    }

    private static ConfigException invalid(String field, String value, String text) {
        return new ConfigException("invalid " + field + " field \"" + value + "\" in \"" + text + "\"");
    }

    /** Splits on whitespace; a {@code { ... }} group is one token, its braces and outer blanks removed. */
    static List<String> tokenize(String text, List<String> warnings) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '{') {
                int depth = 0;
                int j = i;
                for (; j < n; j++) {
                    char d = text.charAt(j);
                    if (d == '{') {
                        depth++;
                    } else if (d == '}' && --depth == 0) {
                        break;
                    }
                }
                if (j >= n) {
                    warnings.add("master.cf: missing '}' in \"" + text.substring(i) + "\"");
                    out.add(text.substring(i + 1).strip());
                    break;
                }
                out.add(text.substring(i + 1, j).strip());
                i = j + 1;
                continue;
            }
            int j = i;
            // "-o{name=value}" is "-o" followed by a group
            while (j < n && !Character.isWhitespace(text.charAt(j))
                    && !(text.charAt(j) == '{' && text.startsWith("-o", i) && j == i + 2)) {
                j++;
            }
            out.add(text.substring(i, j));
            i = j;
        }
        return out;
    }


    public String displayName() {
        return displayName;
    }

    public String text() {
        return text;
    }

    public List<MasterService> services() {
        return services;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** The first service with this name and type. */
    public Optional<MasterService> find(String name, String type) {
        return services.stream().filter(s -> s.name().equals(name) && s.type().equals(type)).findFirst();
    }

    /** An entry formatted like {@code postconf -M} (columns, optionally folded like {@code -Mf}). */
    public static String format(MasterService s, boolean fold) {
        String[] fields = {s.name(), s.type(), s.privateField(), s.unprivilegedField(), s.chrootField(),
            s.wakeupField(), s.processLimitField(), s.command()};
        int[] columns = {0, 11, 17, 25, 33, 41, 49, 57};
        StringBuilder sb = new StringBuilder();
        for (int f = 0; f < fields.length; f++) {
            if (f > 0) {
                sb.append(' ');
                while (sb.length() < columns[f]) {
                    sb.append(' ');
                }
            }
            sb.append(fields[f]);
        }
        return appendArguments(sb, sb.length(), s, fold);
    }

    /**
     * Appends the command arguments after {@code sb} (which ends with the command), folding like
     * postconf: an option with a value ({@code -o name=value}) starts a new line when folding, other
     * words wrap before column 80; no blank is written while the current line is at most 4 wide.
     */
    public static String appendArguments(StringBuilder sb, int lineLen, MasterService s, boolean fold) {
        final int limit = 80;
        final int indent = 4;
        List<String> args = s.printableArgs();
        boolean options = true;
        for (int k = 0; k < args.size(); k++) {
            String word = args.get(k);
            if (options) {
                if (!word.startsWith("-") || word.equals("--")) {
                    options = false;
                } else if (word.equals("-o") && k + 1 < args.size()) {
                    lineLen = limit;
                    word = word + " " + args.get(++k);
                }
            }
            if (lineLen > indent) {
                if (!fold || lineLen + 1 + word.length() < limit) {
                    sb.append(' ');
                    lineLen++;
                } else {
                    sb.append("\n    ");
                    lineLen = indent;
                }
            }
            sb.append(word);
            lineLen += word.length();
            if (options && word.startsWith("-o ")) {
                // nothing else shares a line with an option that has a value
                lineLen = limit;
            }
        }
        return sb.toString();
    }
}
