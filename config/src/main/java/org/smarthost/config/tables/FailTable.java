package org.smarthost.config.tables;

import java.util.Optional;

/**
 * fail:name (Postfix 3.0's dict_fail): every lookup fails with a temporary error. Used to stop
 * mail on purpose, e.g. while a table is being migrated, or in tests of the deferral path.
 */
final class FailTable extends NamedTable {

    FailTable(String spec) {
        super(spec, true);      // as dict_fail: no partial-key lookups
    }

    @Override
    public Optional<String> find(String key) {
        throw new LookupException(spec() + ": table lookup failed (fail: table)");
    }
}
