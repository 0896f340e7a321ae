package org.smarthost.config.tables;

/**
 * A table that cannot answer now (Postfix's DICT_ERR_RETRY: a missing or unreadable file, an
 * unsupported type, a malformed table). Callers defer the mail with a 4xx status.
 */
public class LookupException extends RuntimeException {
    public LookupException(String message) {
        super(message);
    }
}
