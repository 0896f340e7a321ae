package org.smarthost.config.tables;

import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * texthash:/file (Postfix's dict_thash): postmap(1)'s source format read directly when the table
 * is opened, no indexed file needed. Read once: like Postfix, a change to the file is seen when
 * the process opens its tables again.
 */
final class TextHashTable extends NamedTable implements ListableTable {

    private final Map<String, String> entries;
    private final TableContext context;

    private TextHashTable(String spec, Map<String, String> entries, TableContext context) {
        super(spec, false);
        this.entries = entries;
        this.context = context;
    }

    static LookupTable open(String spec, String name, TableContext context) throws TableOpenException {
        try {
            var lines = SourceLines.read(context.resolve(name), name, context.log());
            return new TextHashTable(spec, Collections.unmodifiableMap(SourceEntries.texthash(lines, name, context)), context);
        } catch (IOException e) {
            throw new TableOpenException("open database " + name + ": " + SourceLines.reason(e));
        }
    }

    @Override
    public Optional<String> find(String key) {
        return Optional.ofNullable(entries.get(context.fold(key)));
    }

    @Override
    public Map<String, String> entries() {
        return entries;
    }
}
