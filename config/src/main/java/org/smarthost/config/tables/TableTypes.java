package org.smarthost.config.tables;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The table types smarthost knows, by the name before the colon. Every other Postfix type
 * (mysql, pgsql, ldap, sqlite, memcache, socketmap, tcp, nis, unix, unionmap, pipemap, ...)
 * opens as "unsupported dictionary type: X".
 */
final class TableTypes {

    /** The types whose tables postmap builds into an indexed file. */
    static final Set<String> INDEXED = Set.of("hash", "btree", "lmdb", "cdb");

    private TableTypes() {
    }

    static Map<String, TableType> all() {
        Map<String, TableType> types = new HashMap<>();
        types.put("static", (spec, name, context) -> StaticTable.open(spec, name));
        types.put("inline", (spec, name, context) -> InlineTable.open(spec, name));
        types.put("texthash", TextHashTable::open);
        for (String type : INDEXED) {
            types.put(type, (spec, name, context) -> IndexedTable.open(spec, type, name, context));
        }
        types.put("cidr", CidrTable::open);
        types.put("regexp", (spec, name, context) -> RegexpTable.open(RegexpTable.Dialect.REGEXP, spec, name, context));
        types.put("pcre", (spec, name, context) -> RegexpTable.open(RegexpTable.Dialect.PCRE, spec, name, context));
        types.put("fail", (spec, name, context) -> new FailTable(spec));
        // proxymap(8) only changes which process reads the file; here each process reads it itself
        types.put("proxy", (spec, name, context) -> proxied(types, spec, name, context));
        return Map.copyOf(types);
    }

    private static LookupTable proxied(Map<String, TableType> types, String spec, String name, TableContext context)
            throws TableOpenException {
        int colon = name.indexOf(':');
        if (colon <= 0 || colon == name.length() - 1) {
            throw new TableOpenException("open dictionary: expecting \"type:name\" form instead of \"" + name + "\"");
        }
        TableType inner = types.get(name.substring(0, colon));
        if (inner == null) {
            throw new TableOpenException("unsupported dictionary type: " + name.substring(0, colon));
        }
        return inner.open(spec, name.substring(colon + 1), context);
    }
}
