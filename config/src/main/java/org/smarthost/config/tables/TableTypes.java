package org.smarthost.config.tables;

import java.util.Map;

/** The table types smarthost knows, by the name before the colon. */
final class TableTypes {

    private TableTypes() {
    }

    static Map<String, TableType> all() {
        return Map.of(
                "static", (spec, name, base) -> StaticTable.open(spec, name),
                "inline", (spec, name, base) -> InlineTable.open(spec, name));
    }
}
