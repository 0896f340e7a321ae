package org.smarthost.actors.resolve;

import java.util.Optional;

/**
 * A Postfix lookup table ("type:name") as the resolver needs it: key in, value out. The
 * config module's table implementations plug in through {@link TableOpener}.
 */
@FunctionalInterface
public interface TableLookup {

    /**
     * @return the value for {@code key}, empty when not found
     * @throws TableLookupException when the table cannot answer now (Postfix dict_errno):
     *         the resolver turns that into {@link Resolution.Flag#FAIL}, never into "not found"
     */
    Optional<String> find(String key);

    /** Opens "type:name" table references found in parameter values. */
    @FunctionalInterface
    interface TableOpener {
        TableLookup open(String typeAndName);

        /** For settings that must not name tables: any reference is a configuration error. */
        TableOpener NONE = spec -> {
            throw new IllegalArgumentException("unsupported dictionary type in " + spec);
        };
    }
}
