package org.smarthost.actors.resolve;

/** A table could not be queried (server down, file unreadable): a temporary failure. */
public class TableLookupException extends RuntimeException {
    public TableLookupException(String message, Throwable cause) {
        super(message, cause);
    }

    public TableLookupException(String message) {
        super(message);
    }
}
