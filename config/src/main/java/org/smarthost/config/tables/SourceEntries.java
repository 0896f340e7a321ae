package org.smarthost.config.tables;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The "key whitespace value" lines of postmap(1)'s source format, shared by texthash: and
 * postmap. The key ends at the first whitespace outside "double quotes" (a backslash escapes the
 * next character) and is kept as written, quotes included, as Postfix keeps it; the value is the
 * rest without surrounding whitespace.
 */
final class SourceEntries {

    /** One accepted line. */
    record Entry(int line, String key, String value) {
    }

    private SourceEntries() {
    }

    /**
     * Splits one logical line, or warns and returns empty.
     *
     * @param ignoringSuffix whether the warning for a line without a value ends in " -- ignoring
     *                       this line" (dict_thash.c says so, postmap.c does not)
     */
    static Optional<Entry> parse(SourceLines.Line line, String file, TableLog log, boolean ignoringSuffix) {
        String text = line.text();
        boolean inQuotes = false;
        int i = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (++i >= text.length()) break;
            } else if (SourceLines.isSpace(c)) {
                if (!inQuotes) break;
            } else if (c == '"') {
                inQuotes = !inQuotes;
            }
        }
        String where = file + ", line " + line.number() + ": ";
        if (inQuotes) {
            log.warning(where + "unbalanced '\"' in '" + text + "' -- ignoring this line");
            return Optional.empty();
        }
        String key = text.substring(0, Math.min(i, text.length()));
        String value = i < text.length() ? SourceLines.trimEnd(text.substring(SourceLines.skipSpace(text, i + 1))) : "";
        if (key.isEmpty() || value.isEmpty()) {
            log.warning(where + "expected format: key whitespace value" + (ignoringSuffix ? " -- ignoring this line" : ""));
            return Optional.empty();
        }
        if (key.endsWith(":")) {
            log.warning(where + "record is in \"key: value\" format; is this an alias file?");
        }
        return Optional.of(new Entry(line.number(), key, value));
    }

    /**
     * Adds {@code entry} under its (folded) key, handling a key seen before as the context says.
     *
     * @param duplicateWhere how the warning starts: "FILE, line N" for texthash, "FILE" for the
     *                       indexed types as Postfix's dict_db.c words it
     */
    static void put(Map<String, String> into, Entry entry, TableContext context, TableLog log, String duplicateWhere) {
        String key = context.fold(entry.key());
        if (!into.containsKey(key)) {
            into.put(key, entry.value());
            return;
        }
        switch (context.duplicates()) {
            case REPLACE -> into.put(key, entry.value());
            case IGNORE -> { }
            case WARN -> log.warning(duplicateWhere + ": duplicate entry: \"" + entry.key() + "\"");
        }
    }

    /** texthash:'s reading of a whole file: duplicates are reported with their line, the first one kept. */
    static Map<String, String> texthash(List<SourceLines.Line> lines, String file, TableContext context) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (SourceLines.Line line : lines) {
            parse(line, file, context.log(), true).ifPresent(e ->
                    put(entries, e, context, context.log(), file + ", line " + e.line()));
        }
        return entries;
    }
}
