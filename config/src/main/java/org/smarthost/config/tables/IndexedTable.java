package org.smarthost.config.tables;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * hash:, btree:, lmdb: and cdb: tables: "type:/etc/postfix/transport" reads the indexed file that
 * postmap built next to the source ({@code transport.db}, {@code .lmdb}, {@code .cdb}), in
 * smarthost's own format ({@link IndexedFile}). The four types differ in Postfix only in the
 * library behind them; here they share one format and differ in the file name.
 *
 * <p>The server runs for months, so a rebuilt table is picked up without a restart (Postfix
 * restarts the daemon instead): at most once a second, a lookup compares the file's identity
 * (inode, size, modification time) with what was loaded, and reads it again when it changed.
 * postmap replaces the file by renaming, so a reload sees a whole table; if the new file cannot be
 * read anyway, the old contents stay in use and a warning says why.
 */
final class IndexedTable extends NamedTable implements ListableTable {

    private static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The file a type's table lives in, next to the source: Postfix's names. */
    static String suffix(String type) {
        return switch (type) {
            case "hash", "btree" -> ".db";
            case "lmdb" -> ".lmdb";
            case "cdb" -> ".cdb";
            default -> throw new IllegalArgumentException("not an indexed table type: " + type);
        };
    }

    /** What was loaded, and the file identity it came from. */
    private record Snapshot(Map<String, String> entries, Stamp stamp) {
    }

    /** A file's identity: a rename gives a new inode, an in-place rewrite a new size or time. */
    private record Stamp(Object fileKey, long size, FileTime modified) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime());
        }
    }

    private final String type;
    private final String name;
    private final Path file;
    private final TableContext context;
    private final LongSupplier nanoClock;
    private volatile Snapshot snapshot;
    private volatile long lastCheck;
    private Stamp lastSeen;          // guarded by this: the last stamp examined, read or not

    private IndexedTable(String spec, String type, String name, Path file, TableContext context,
                         LongSupplier nanoClock, Snapshot snapshot) {
        super(spec, false);
        this.type = type;
        this.name = name;
        this.file = file;
        this.context = context;
        this.nanoClock = nanoClock;
        this.snapshot = snapshot;
        this.lastSeen = snapshot.stamp();
        this.lastCheck = nanoClock.getAsLong();
    }

    static IndexedTable open(String spec, String type, String name, TableContext context) throws TableOpenException {
        return open(spec, type, name, context, System::nanoTime);
    }

    /** With a clock of one's own, for tests of the reload. */
    static IndexedTable open(String spec, String type, String name, TableContext context, LongSupplier nanoClock)
            throws TableOpenException {
        Path source = context.resolve(name);
        Path file = context.resolve(name + suffix(type));
        String fileName = name + suffix(type);
        Snapshot first;
        try {
            first = load(file, fileName, type, name);
        } catch (IOException e) {
            throw new TableOpenException("open database " + fileName + ": " + SourceLines.reason(e));
        } catch (IndexedFile.FormatException e) {
            throw new TableOpenException(e.getMessage());
        }
        try {
            if (Files.getLastModifiedTime(source).compareTo(first.stamp().modified()) > 0) {
                context.log().warning("database " + fileName + " is older than source file " + name);
            }
        } catch (IOException e) {
            // no source file next to the table: nothing to compare, as in Postfix
        }
        return new IndexedTable(spec, type, name, file, context, nanoClock, first);
    }

    private static Snapshot load(Path file, String fileName, String type, String name)
            throws IOException, IndexedFile.FormatException {
        // the stamp first: a change racing the read is then seen at the next check
        Stamp stamp = Stamp.of(file);
        return new Snapshot(IndexedFile.read(file, fileName, "postmap " + type + ":" + name), stamp);
    }

    @Override
    public Optional<String> find(String key) {
        reloadIfChanged();
        return Optional.ofNullable(snapshot.entries().get(context.fold(key)));
    }

    @Override
    public Map<String, String> entries() {
        reloadIfChanged();
        return snapshot.entries();
    }

    private void reloadIfChanged() {
        long now = nanoClock.getAsLong();
        if (now - lastCheck < CHECK_INTERVAL_NANOS) return;
        synchronized (this) {
            if (now - lastCheck < CHECK_INTERVAL_NANOS) return;      // another thread just looked
            lastCheck = now;
            String fileName = name + suffix(type);
            Stamp current;
            try {
                current = Stamp.of(file);
            } catch (NoSuchFileException e) {
                current = null;
            } catch (IOException e) {
                return;     // cannot even stat it now: keep what we have, look again later
            }
            if (Objects.equals(current, lastSeen)) return;
            lastSeen = current;
            if (current == null) {
                context.log().warning("open database " + fileName + ": No such file or directory"
                        + " -- still using the table as last read");
                return;
            }
            context.log().info("table " + type + ":" + name + " has changed -- reloading");
            try {
                snapshot = load(file, fileName, type, name);
                lastSeen = snapshot.stamp();
            } catch (IOException e) {
                context.log().warning("open database " + fileName + ": " + SourceLines.reason(e)
                        + " -- still using the table as last read");
            } catch (IndexedFile.FormatException e) {
                context.log().warning(e.getMessage() + " -- still using the table as last read");
            }
        }
    }
}
