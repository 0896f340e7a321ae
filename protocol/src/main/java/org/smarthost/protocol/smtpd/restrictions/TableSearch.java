package org.smarthost.protocol.smtpd.restrictions;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.LookupTable;

/**
 * One lookup as Postfix's maps_find does it for smtpd: the key folded to lower case for
 * fixed-string tables (pattern tables get it as it is), and its warnings when the table
 * cannot answer or answers with an empty string.
 */
final class TableSearch {

    /** A table's empty value: Postfix's DICT_ERR_CONFIG, a server configuration error rather than "try again". */
    static final class EmptyResult extends LookupException {
        EmptyResult() {
            super("empty result");
        }
    }

    private TableSearch() {
    }

    /**
     * @param title the name for the empty-value warnings (the parameter, or the table itself)
     * @throws LookupException (logged) when the table cannot answer, {@link EmptyResult} for an empty value
     */
    static Optional<String> find(Logger log, LookupTable table, String key, String title) {
        String k = table.isPattern() ? key : key.toLowerCase(Locale.ROOT);
        Optional<String> value;
        try {
            value = table.find(k);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: {} lookup error for \"{}\"", table.spec(), k);
            throw e;
        }
        if (value.isPresent() && value.get().isBlank()) {
            log.warn("warning: {} lookup of {} returns an empty string result", title, k);
            log.warn("warning: {} should return NO RESULT in case of NOT FOUND", title);
            throw new EmptyResult();
        }
        return value;
    }
}
