package org.smarthost.config.tables;

import java.util.Optional;

/**
 * One Postfix lookup table, "type:name" as main.cf writes it (Postfix's DICT): a key in, the
 * value out. Implementations are opened by {@link LookupTables}.
 */
public interface LookupTable {

    /** "type:name", as given in main.cf, for log lines. */
    String spec();

    /**
     * Whether the keys are patterns (regexp, pcre, cidr: Postfix's DICT_FLAG_PATTERN). Callers
     * that derive partial keys (a domain's parents, "user@", an address without its extension)
     * query a pattern table with the whole string only, as Postfix does.
     */
    boolean isPattern();

    /**
     * @return the value for {@code key}, empty when the table has none
     * @throws LookupException when the table cannot answer now (Postfix's DICT_ERR_RETRY): the
     *         caller must defer, never take it for "not found"
     */
    Optional<String> find(String key);
}
