package org.smarthost.config.tables;

import java.util.Optional;

/**
 * What a table that could not be opened becomes (Postfix's dict_surrogate): the server keeps
 * running and every lookup fails with a temporary error naming the reason, so mail that needs
 * the table is deferred, never delivered by a wrong route or rejected for good.
 */
public final class SurrogateTable extends NamedTable {

    private final String reason;

    public SurrogateTable(String spec, String reason) {
        super(spec, true);      // as Postfix's surrogate: no partial-key lookups
        this.reason = reason;
    }

    /** Why the table is unavailable, e.g. "open database /etc/postfix/transport.db: No such file or directory". */
    public String reason() {
        return reason;
    }

    @Override
    public Optional<String> find(String key) {
        throw new LookupException(spec() + " is unavailable. " + reason);
    }
}
