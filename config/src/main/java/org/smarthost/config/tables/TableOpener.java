package org.smarthost.config.tables;

import java.util.ArrayList;
import java.util.List;
import org.smarthost.config.Config;

/** Opens a "type:name" table reference found in a parameter value. */
@FunctionalInterface
public interface TableOpener {

    LookupTable open(String spec);

    /** The tables of a list-valued parameter (comma or space separated, braces kept together). */
    default Maps maps(String parameter, String value) {
        List<LookupTable> tables = new ArrayList<>();
        for (String spec : Config.splitList(value == null ? "" : value)) tables.add(open(spec));
        return new Maps(parameter, tables);
    }

    /** For settings that must not name tables: any reference fails each lookup. */
    TableOpener NONE = spec -> new SurrogateTable(spec, "table lookups are not available here");
}
