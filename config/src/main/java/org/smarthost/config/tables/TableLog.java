package org.smarthost.config.tables;

import org.slf4j.Logger;

/**
 * Where a table reports problems that do not stop it from opening (a bad line is skipped, a
 * duplicate key ignored), and its reloads: Postfix's msg_warn and msg_info. The server sends them
 * to its log; postmap prints them on stderr as "postmap: warning: ...".
 */
public interface TableLog {

    /** e.g. "/etc/postfix/transport, line 3: expected format: key whitespace value". */
    void warning(String text);

    /** e.g. "table hash:/etc/postfix/transport has changed -- reloading". */
    void info(String text);

    /** Postfix's log form: warnings carry "warning: " in the text, as LookupTables writes "error: ". */
    static TableLog of(Logger log) {
        return new TableLog() {
            @Override
            public void warning(String text) {
                log.warn("warning: {}", text);
            }

            @Override
            public void info(String text) {
                log.info("{}", text);
            }
        };
    }
}
