package org.smarthost.config.tables;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A table whose first open failed for a reason the administrator can fix without a reload (the
 * file was not built with postmap yet, or is unreadable). Postfix's daemons get the same effect
 * by being restarted now and then; a long-running JVM tries again instead, at most once a second
 * on a lookup, and answers as a {@link SurrogateTable} until the open succeeds.
 */
final class ReopeningTable implements LookupTable {

    /** The type's open, for this table's name. */
    @FunctionalInterface
    interface Opener {
        LookupTable open() throws TableOpenException;
    }

    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String spec;
    private final Opener opener;
    private final LongSupplier clock;
    private volatile LookupTable current;
    private volatile long nextTry;

    ReopeningTable(String spec, Opener opener, SurrogateTable failed, LongSupplier clock) {
        this.spec = spec;
        this.opener = opener;
        this.clock = clock;
        this.current = failed;
        this.nextTry = clock.getAsLong() + RETRY_NANOS;
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public boolean isPattern() {
        return current.isPattern();
    }

    @Override
    public Optional<String> find(String key) {
        LookupTable table = current;
        if (table instanceof SurrogateTable && clock.getAsLong() - nextTry >= 0) table = reopen();
        return table.find(key);
    }

    private synchronized LookupTable reopen() {
        if (current instanceof SurrogateTable surrogate && clock.getAsLong() - nextTry >= 0) {
            nextTry = clock.getAsLong() + RETRY_NANOS;
            try {
                current = opener.open();
            } catch (TableOpenException e) {
                if (!e.getMessage().equals(surrogate.reason())) current = new SurrogateTable(spec, e.getMessage());
            }
        }
        return current;
    }
}
