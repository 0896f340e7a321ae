package org.smarthost.config.tables;

/** A table that cannot be opened; {@link LookupTables} logs the reason and substitutes a {@link SurrogateTable}. */
public class TableOpenException extends Exception {
    public TableOpenException(String reason) {
        super(reason);
    }
}
