package org.smarthost.config.tables;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.smarthost.config.Config;

/**
 * inline:{key=value, { key = text with spaces, commas }} (Postfix 3.0): a small table written
 * in main.cf itself. Keys are case-insensitive, as in Postfix's other fixed-key tables.
 */
final class InlineTable extends NamedTable {

    private final Map<String, String> entries;

    private InlineTable(String spec, Map<String, String> entries) {
        super(spec, false);
        this.entries = entries;
    }

    static LookupTable open(String spec, String name) throws TableOpenException {
        if (!name.startsWith("{") || !name.endsWith("}") || name.length() < 3) {
            throw new TableOpenException("bad syntax: \"" + spec + "\"; need \"inline:{name=value...}\"");
        }
        Map<String, String> entries = new HashMap<>();
        List<String> items = Config.splitList(name.substring(1, name.length() - 1));
        for (String item : items) {
            String pair = item;
            if (pair.startsWith("{")) {
                if (!pair.endsWith("}")) {
                    throw new TableOpenException("missing '}': \"" + spec + "\"; need \"inline:{name=value...}\"");
                }
                pair = pair.substring(1, pair.length() - 1).strip();
            }
            int eq = pair.indexOf('=');
            if (eq <= 0 || pair.substring(0, eq).isBlank()) {
                throw new TableOpenException("missing '=' after attribute name: \"" + spec
                        + "\"; need \"inline:{name=value...}\"");
            }
            entries.put(pair.substring(0, eq).strip().toLowerCase(Locale.ROOT), pair.substring(eq + 1).strip());
        }
        if (entries.isEmpty()) {
            throw new TableOpenException("empty table: \"" + spec + "\"; need \"inline:{name=value...}\"");
        }
        return new InlineTable(spec, Map.copyOf(entries));
    }

    @Override
    public Optional<String> find(String key) {
        return Optional.ofNullable(entries.get(key.toLowerCase(Locale.ROOT)));
    }
}
