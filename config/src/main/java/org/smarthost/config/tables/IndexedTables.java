package org.smarthost.config.tables;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What postmap(1) does to the indexed tables (hash:, btree:, lmdb:, cdb:): build one from its
 * source file, add lines to it, delete keys from it. Every change rewrites the whole file through
 * {@link IndexedFile#write}, so a server reading it sees the old table or the new one.
 * Failures are {@link TableOpenException}s whose message is postmap's fatal error text.
 */
public final class IndexedTables {

    private IndexedTables() {
    }

    /** Whether {@code type} is a table type smarthost can open. */
    public static boolean known(String type) {
        return TableTypes.all().containsKey(type);
    }

    /** Whether postmap builds an indexed file for {@code type}. */
    public static boolean indexed(String type) {
        return TableTypes.INDEXED.contains(type);
    }

    /**
     * Builds {@code name}'s indexed file from the source file {@code name} (Postfix's "postmap
     * type:name"), replacing what was there.
     *
     * @param keepPermissions give the table the source file's mode, as postmap does unless -p
     */
    public static void create(String type, String name, TableContext context, boolean keepPermissions)
            throws TableOpenException {
        Path source = context.resolve(name);
        List<SourceLines.Line> lines;
        try {
            lines = SourceLines.read(source, name, context.log());
        } catch (IOException e) {
            throw new TableOpenException("open " + name + ": " + SourceLines.reason(e));
        }
        Map<String, String> entries = new LinkedHashMap<>();
        add(entries, lines, name, type, name, context);
        write(type, name, context, entries, keepPermissions ? permissions(source) : null);
    }

    /**
     * Adds "key value" lines read from stdin ("postmap -i"); the table is created when missing,
     * a key already there is a duplicate like one within the input.
     */
    public static void update(String type, String name, TableContext context, String input) throws TableOpenException {
        Map<String, String> entries = new LinkedHashMap<>(existing(type, name, context, true));
        add(entries, SourceLines.split(input, "stdin", context.log()), "stdin", type, name, context);
        write(type, name, context, entries, null);
    }

    /**
     * Deletes keys ("postmap -d"); the file is rewritten only when one was there.
     *
     * @return how many of {@code keys} were found and deleted
     */
    public static int delete(String type, String name, TableContext context, Collection<String> keys)
            throws TableOpenException {
        Map<String, String> entries = new LinkedHashMap<>(existing(type, name, context, false));
        int deleted = 0;
        for (String key : keys) {
            if (entries.remove(context.fold(key)) != null) deleted++;
        }
        if (deleted > 0) write(type, name, context, entries, null);
        return deleted;
    }

    private static void add(Map<String, String> entries, List<SourceLines.Line> lines, String file, String type,
                            String name, TableContext context) {
        // Postfix's dict_db.c and dict_cdb.c name the table in a duplicate warning, dict_lmdb.c adds its type
        String duplicateWhere = type.equals("lmdb") ? "lmdb:" + name : name;
        for (SourceLines.Line line : lines) {
            SourceEntries.parse(line, file, context.log(), false)
                    .ifPresent(e -> SourceEntries.put(entries, e, context, context.log(), duplicateWhere));
        }
    }

    private static Map<String, String> existing(String type, String name, TableContext context, boolean create)
            throws TableOpenException {
        String fileName = name + IndexedTable.suffix(type);
        Path file = context.resolve(fileName);
        if (create && !Files.exists(file)) return Map.of();
        try {
            return IndexedFile.read(file, fileName, "postmap " + type + ":" + name);
        } catch (IOException e) {
            throw new TableOpenException("open database " + fileName + ": " + SourceLines.reason(e));
        } catch (IndexedFile.FormatException e) {
            throw new TableOpenException(e.getMessage());
        }
    }

    private static void write(String type, String name, TableContext context, Map<String, String> entries,
                              Set<PosixFilePermission> permissions) throws TableOpenException {
        String fileName = name + IndexedTable.suffix(type);
        try {
            IndexedFile.write(context.resolve(fileName), entries, permissions);
        } catch (IOException e) {
            throw new TableOpenException("table " + type + ":" + name + ": write error: " + SourceLines.reason(e));
        }
    }

    /** The source's mode with owner read/write added: Postfix keeps group and other as the source has them. */
    private static Set<PosixFilePermission> permissions(Path source) {
        try {
            Set<PosixFilePermission> p = EnumSet.copyOf(Files.getPosixFilePermissions(source));
            p.add(PosixFilePermission.OWNER_READ);
            p.add(PosixFilePermission.OWNER_WRITE);
            p.remove(PosixFilePermission.OWNER_EXECUTE);
            p.remove(PosixFilePermission.GROUP_EXECUTE);
            p.remove(PosixFilePermission.OTHERS_EXECUTE);
            return p;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
