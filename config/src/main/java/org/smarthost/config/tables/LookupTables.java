package org.smarthost.config.tables;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Opens "type:name" tables for one process, sharing each between the parameters that name it
 * (Postfix's dict_open with its registry). A table that cannot be opened is logged at once as
 * an error and replaced by a {@link SurrogateTable}, so the problem is seen at start and mail
 * that needs the table is deferred, as Postfix's daemons do; one whose type exists is opened
 * again on a later lookup ({@link ReopeningTable}), so running postmap is enough to fix it.
 */
public final class LookupTables implements TableOpener {

    private final Path base;
    private final Logger log;
    private final LongSupplier clock;
    private final Map<String, TableType> types;
    private final Map<String, LookupTable> open = new ConcurrentHashMap<>();

    /**
     * @param base where relative table file names start (queue_directory for the server, as
     *             Postfix's daemons run there; the working directory for postmap)
     * @param log  the process's logger ("postfix/smtpd", "postfix/trivial-rewrite", "postmap")
     */
    public LookupTables(Path base, Logger log) {
        this(base, log, System::nanoTime);
    }

    LookupTables(Path base, Logger log, LongSupplier clock) {
        this.base = base;
        this.log = log;
        this.clock = clock;
        this.types = TableTypes.all();
    }

    @Override
    public LookupTable open(String spec) {
        return open.computeIfAbsent(spec, this::openNew);
    }

    /** The tables of a list-valued parameter (comma or space separated, braces kept together). */
    public Maps maps(String parameter, String value) {
        List<LookupTable> tables = new ArrayList<>();
        for (String spec : TableSpecs.split(value == null ? "" : value)) {
            tables.add(open(spec));
        }
        return new Maps(parameter, tables);
    }

    private LookupTable openNew(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            return surrogate(spec, "open dictionary: expecting \"type:name\" form instead of \"" + spec + "\"");
        }
        String type = spec.substring(0, colon);
        TableType opener = types.get(type);
        if (opener == null) {
            return surrogate(spec, "unsupported dictionary type: " + type);
        }
        String name = spec.substring(colon + 1);
        try {
            return opener.open(spec, name, base);
        } catch (TableOpenException e) {
            return new ReopeningTable(spec, () -> opener.open(spec, name, base), surrogate(spec, e.getMessage()), clock);
        }
    }

    private SurrogateTable surrogate(String spec, String reason) {
        log.error("error: {}", reason);
        return new SurrogateTable(spec, reason);
    }
}
