package org.smarthost.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * main.cf as Postfix reads it: {@code #} comment lines, blank lines, continuation lines (starting with
 * whitespace), {@code name = value} with surrounding whitespace trimmed, the last definition winning.
 * The edit operations rewrite the file text the way {@code postconf -e/-X/-#} does, keeping comments
 * and layout.
 */
public final class MainCf {
    /** One {@code name = value} setting; {@code line} is the first physical line of its logical line. */
    public record Entry(String name, String value, int line) {
    }

    private final String displayName;
    private final List<String> lines;
    private final Map<String, Entry> entries;
    private final List<String> warnings;

    private MainCf(String displayName, List<String> lines, Map<String, Entry> entries, List<String> warnings) {
        this.displayName = displayName;
        this.lines = List.copyOf(lines);
        this.entries = Collections.unmodifiableMap(entries);
        this.warnings = List.copyOf(warnings);
    }

    /** Reads and parses a main.cf file; a missing file is an error worded like Postfix's. */
    public static MainCf read(Path file) {
        return parse(file.toString(), readText(file));
    }

    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("open " + file + ": No such file or directory");
        } catch (IOException e) {
            throw new ConfigException("open " + file + ": " + e.getMessage());
        }
    }

    /** Parses main.cf text; {@code displayName} (the path) is used in error and warning messages. */
    public static MainCf parse(String displayName, String text) {
        List<String> lines = splitLines(text);
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (LogicalLine logical : logicalLines(lines)) {
            if (logical.continuationOnly) {
                warnings.add(displayName + ": logical line must not start with whitespace: \""
                        + printable(logical.text) + "\"");
                continue;
            }
            String[] nv = splitNameValue(logical.text);
            if (nv.length == 1) {
                throw new ConfigException(displayName + ", line " + logical.line + ": " + nv[0] + ": \""
                        + logical.text + "\"");
            }
            Entry previous = entries.remove(nv[0]);
            if (previous != null && !previous.value().equals(nv[1])) {
                warnings.add(displayName + ", line " + logical.line + ": overriding earlier entry: "
                        + previous.name() + "=" + previous.value());
            }
            entries.put(nv[0], new Entry(nv[0], nv[1], logical.line));
        }
        return new MainCf(displayName, lines, entries, warnings);
    }

    /** The path or name this was read from. */
    public String displayName() {
        return displayName;
    }

    /** Settings in file order of their (last) definition. */
    public Collection<Entry> entries() {
        return entries.values();
    }

    public Optional<Entry> entry(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** name → value of every setting (last definition wins), sorted by name. */
    public Map<String, String> values() {
        Map<String, String> m = new TreeMap<>();
        entries.values().forEach(e -> m.put(e.name(), e.value()));
        return m;
    }

    /** Non-fatal problems found while parsing, worded like Postfix's warnings (without "program: warning: "). */
    public List<String> warnings() {
        return warnings;
    }

    /** The file text (physical lines, each ended by a newline). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    // ---------------------------------------------------------------- editing, as postconf -e/-X/-#

    /** What an edit does with each named setting. */
    public enum EditMode { SET, REMOVE, COMMENT_OUT }

    /**
     * The text after an edit. With {@link EditMode#SET} every definition of a name is replaced by
     * {@code name = value} (its continuation lines dropped) and names not found are appended in name
     * order; with REMOVE definitions are deleted; with COMMENT_OUT they are prefixed by {@code #}.
     * {@code warnings} receives "multiple entries" warnings.
     */
    public static String edit(String path, String text, EditMode mode, Map<String, String> settings,
                              List<String> warnings) {
        Map<String, int[]> found = new LinkedHashMap<>();
        settings.keySet().forEach(k -> found.put(k, new int[1]));
        StringBuilder out = new StringBuilder();
        boolean interesting = false;
        List<String> lines = splitLines(text);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            // Postfix 3.7 copies an unterminated last line as it is (and appends right after it)
            String nl = i == lines.size() - 1 && !text.endsWith("\n") ? "" : "\n";
            String content = line.stripLeading();
            if (content.isEmpty() || content.startsWith("#")) {
                out.append(line).append(nl);
                continue;
            }
            if (content.length() != line.length()) {
                if (!interesting) {
                    out.append(line).append(nl);
                } else if (mode == EditMode.COMMENT_OUT) {
                    out.append('#').append(line).append(nl);
                }
                continue;
            }
            int keyEnd = 0;
            while (keyEnd < line.length() && !Character.isWhitespace(line.charAt(keyEnd)) && line.charAt(keyEnd) != '=') {
                keyEnd++;
            }
            String key = line.substring(0, keyEnd);
            int[] count = found.get(key);
            interesting = count != null;
            if (!interesting) {
                out.append(line).append(nl);
                continue;
            }
            if (count[0]++ == 1) {
                warnings.add(path + ": multiple entries for \"" + key + "\"");
            }
            if (mode == EditMode.SET) {
                out.append(key).append(" = ").append(settings.get(key)).append('\n');
            } else if (mode == EditMode.COMMENT_OUT) {
                out.append('#').append(line).append(nl);
            }
        }
        if (mode == EditMode.SET) {
            new TreeMap<>(settings).forEach((k, v) -> {
                if (found.get(k)[0] == 0) {
                    out.append(k).append(" = ").append(v).append('\n');
                }
            });
        }
        return out.toString();
    }

    /** Applies an edit to a file in place (through a temporary file renamed into place, like Postfix). */
    public static List<String> editFile(Path file, EditMode mode, Map<String, String> settings) {
        String text = readForEdit(file);
        List<String> warnings = new ArrayList<>();
        writeAtomically(file, edit(file.toString(), text, mode, settings, warnings));
        return warnings;
    }

    /** Reads a configuration file that is about to be edited, failing with Postfix's wording. */
    static String readForEdit(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("open " + file + " for reading: No such file or directory");
        } catch (IOException e) {
            throw new ConfigException("open " + file + " for reading: " + e.getMessage());
        }
    }

    static void writeAtomically(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ConfigException("write " + file + ": " + e.getMessage());
        }
    }

    /**
     * Splits {@code name = value} like Postfix's split_nameval: returns {name, value}, or a single
     * element holding the error text.
     */
    public static String[] splitNameValue(String text) {
        String s = text.stripLeading();
        int i = 0;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '=') {
            i++;
        }
        String name = s.substring(0, i);
        if (name.isEmpty()) {
            return new String[] {"missing attribute name"};
        }
        String rest = s.substring(i).stripLeading();
        if (!rest.startsWith("=")) {
            return new String[] {"missing '=' after attribute name"};
        }
        return new String[] {name, rest.substring(1).strip()};
    }

    // ---------------------------------------------------------------- helpers

    static List<String> splitLines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    private static final class LogicalLine {
        final int line;
        final boolean continuationOnly;
        String text;

        LogicalLine(int line, String text, boolean continuationOnly) {
            this.line = line;
            this.text = text;
            this.continuationOnly = continuationOnly;
        }
    }

    /** Joins continuation lines; comment and blank lines are skipped even between continuations. */
    private static List<LogicalLine> logicalLines(List<String> lines) {
        List<LogicalLine> out = new ArrayList<>();
        LogicalLine current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).stripTrailing();
            String content = line.stripLeading();
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            if (content.length() != line.length()) {
                if (current == null) {
                    current = new LogicalLine(i + 1, line, true);
                    out.add(current);
                } else {
                    current.text = current.text + " " + content;
                }
                continue;
            }
            current = new LogicalLine(i + 1, line, false);
            out.add(current);
        }
        return out;
    }


    /** Postfix prints non-printable characters in diagnostics as '?'. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
