package org.smarthost.config.tables;

import java.util.Optional;

/** static:value (and static:{text with spaces}): every key finds the same value. */
final class StaticTable extends NamedTable {

    private final String value;

    private StaticTable(String spec, String value) {
        super(spec, false);
        this.value = value;
    }

    static LookupTable open(String spec, String name) throws TableOpenException {
        String value = name;
        if (name.startsWith("{")) {
            if (!name.endsWith("}")) {
                throw new TableOpenException("bad static table syntax: \"" + spec + "\"; need \"static:{value}\"");
            }
            value = name.substring(1, name.length() - 1).strip();
        }
        return new StaticTable(spec, value);
    }

    @Override
    public Optional<String> find(String key) {
        return Optional.of(value);
    }
}
