package org.smarthost.persistence.serialization;

/** A stored record could not be decoded (garbage, unknown class, incompatible version). */
public final class UnreadableRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnreadableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
