package org.smarthost.config.tables;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What a table type needs besides its name: where relative file names start, where warnings go,
 * and the two postmap(1) switches that change how fixed-key tables read their keys.
 *
 * @param base       where relative file names start (queue_directory for the daemons, the
 *                   working directory for postmap)
 * @param log        warnings about skipped lines, reload notices
 * @param foldKeys   fold keys to lower case when storing and looking up (Postfix's
 *                   DICT_FLAG_FOLD_FIX; off with "postmap -f")
 * @param duplicates what a repeated key in a source file does
 */
public record TableContext(Path base, TableLog log, boolean foldKeys, Duplicates duplicates) {

    /** Postfix's DICT_FLAG_DUP_WARN (the default), DUP_REPLACE ("postmap -r"), DUP_IGNORE ("postmap -w"). */
    public enum Duplicates { WARN, REPLACE, IGNORE }

    /** The daemons' settings: keys folded, duplicates warned about, the first one kept. */
    public static TableContext of(Path base, TableLog log) {
        return new TableContext(base, log, true, Duplicates.WARN);
    }

    /** A file name from a table spec, relative to {@link #base()} unless absolute. */
    Path resolve(String name) {
        return base.resolve(name);
    }

    /** A key as the fixed-key tables store and look it up. */
    String fold(String key) {
        return foldKeys ? key.toLowerCase(Locale.ROOT) : key;
    }
}
