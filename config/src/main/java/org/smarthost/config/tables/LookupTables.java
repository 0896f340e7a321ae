package org.smarthost.config.tables;

import java.nio.file.Path;
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

    private final TableContext context;
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
        this(TableContext.of(base, TableLog.of(log)), log);
    }

    /** With table settings of one's own (postmap's -f, -r, -w; warnings collected by a test). */
    public LookupTables(TableContext context, Logger log) {
        this(context, log, System::nanoTime);
    }

    LookupTables(TableContext context, Logger log, LongSupplier clock) {
        this.context = context;
        this.log = log;
        this.clock = clock;
        this.types = TableTypes.all();
    }

    /** The type names smarthost can open, sorted, as postconf -m lists them. */
    public static List<String> supportedTypes() {
        return TableTypes.all().keySet().stream().sorted().toList();
    }

    @Override
    public LookupTable open(String spec) {
        return open.computeIfAbsent(spec, this::openNew);
    }

    /**
     * Opens a table afresh, not shared and without a surrogate: for postmap, which must stop at
     * the first table it cannot open, as Postfix's postmap does (its dict_open is fatal).
     */
    public LookupTable openChecked(String spec) throws TableOpenException {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new TableOpenException("open dictionary: expecting \"type:name\" form instead of \"" + spec + "\"");
        }
        String type = spec.substring(0, colon);
        TableType opener = types.get(type);
        if (opener == null) {
            throw new TableOpenException("unsupported dictionary type: " + type);
        }
        return opener.open(spec, spec.substring(colon + 1), context);
    }

    private LookupTable openNew(String spec) {
        try {
            return openChecked(spec);
        } catch (TableOpenException e) {
            SurrogateTable failed = surrogate(spec, e.getMessage());
            int colon = spec.indexOf(':');
            boolean knownType = colon > 0 && types.containsKey(spec.substring(0, colon));
            return knownType ? new ReopeningTable(spec, () -> openChecked(spec), failed, clock) : failed;
        }
    }

    private SurrogateTable surrogate(String spec, String reason) {
        log.error("error: {}", reason);
        return new SurrogateTable(spec, reason);
    }
}
