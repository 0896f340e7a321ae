package org.smarthost.config.tables;

/** Opens a "type:name" table reference found in a parameter value. */
@FunctionalInterface
public interface TableOpener {

    LookupTable open(String spec);

    /** For settings that must not name tables: any reference fails each lookup. */
    TableOpener NONE = spec -> new SurrogateTable(spec, "table lookups are not available here");
}
