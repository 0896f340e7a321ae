package org.smarthost.config.tables;

import java.util.List;
import java.util.Optional;

/**
 * A parameter's list of tables searched in order, the first table with the key deciding
 * (Postfix's maps_find), e.g. transport_maps = hash:/etc/postfix/transport, pcre:/etc/postfix/transport.pcre.
 *
 * @param parameter the main.cf name, for log lines
 * @param tables    in the order main.cf lists them
 */
public record Maps(String parameter, List<LookupTable> tables) {

    public Maps {
        tables = List.copyOf(tables);
    }

    public static Maps empty(String parameter) {
        return new Maps(parameter, List.of());
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /**
     * The whole key, asked of every table.
     *
     * @throws LookupException when a table that comes before any match cannot answer
     */
    public Optional<String> find(String key) {
        return find(key, false);
    }

    /**
     * @param partial whether {@code key} was derived from the real one (a parent domain,
     *                "user@"): pattern tables are then skipped, as Postfix skips them
     */
    public Optional<String> find(String key, boolean partial) {
        for (LookupTable table : tables) {
            if (partial && table.isPattern()) continue;
            Optional<String> value = table.find(key);
            if (value.isPresent()) return value;
        }
        return Optional.empty();
    }
}
