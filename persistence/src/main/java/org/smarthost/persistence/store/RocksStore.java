package org.smarthost.persistence.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.typesafe.config.Config;

/**
 * One RocksDB per queue directory ({@code ${queue_directory}/db}), opened once per JVM and shared
 * by the journal, the snapshot store, the read journal and the body store. Sharing one database
 * is what makes the body durable: all column families write to one WAL, so the synced journal
 * write of MessageReceived also persists the unsynced body chunks written before it. (Large
 * held bodies are the exception: they go to the body store's segment files, which its batch
 * listener syncs before the batch that references them.)
 *
 * <p>{@link #acquire(Path)} returns the shared instance and counts references; {@link #close()}
 * gives one back and the last one closes the database. {@link #openReadOnly(Path)} opens a
 * private read-only view that works while another process (the running server) holds the
 * database: RocksDB's read-only mode takes no lock, and shows the data as of opening.
 */
public final class RocksStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("postfix/qmgr");

    /** Column families; names are part of the on-disk format. */
    public enum Family {
        /** (numeric id, sequence nr) → serialized PersistentRepr. */
        JOURNAL("journal"),
        /** persistence-id ↔ numeric id, highest sequence nrs, counters. */
        IDS("ids"),
        /** (tag, global offset) → (numeric id, sequence nr). */
        TAGS("tags"),
        /** (persistence-id, sequence nr) → timestamp + serialized snapshot. */
        SNAPSHOTS("snapshots"),
        /** (queue id, chunk nr) → body bytes. */
        BODIES("bodies"),
        /** (queue id, 0) → where the body log holds the body (large bodies). */
        BODYREFS("bodyrefs"),
        /** records moved aside because they could not be read. */
        CORRUPT("corrupt");

        final String cfName;

        Family(String cfName) {
            this.cfName = cfName;
        }

        public String cfName() {
            return cfName;
        }
    }

    public static final String DIR_KEY = "smarthost.store.dir";
    public static final String READ_ONLY_KEY = "smarthost.store.read-only";

    private static final Map<Path, RocksStore> SHARED = new HashMap<>();

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final boolean readOnly;
    private final boolean shared;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final Map<Family, ColumnFamilyHandle> families = new HashMap<>();
    private final RocksDB db;
    private final GroupCommitter committer;
    private final List<BatchListener> batchListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<StoreChange>> changeListeners = new CopyOnWriteArrayList<>();
    private final Map<Class<?>, Object> attachments = new ConcurrentHashMap<>();
    private final WriteOptions unsyncedWrite = new WriteOptions().setSync(false).setDisableWAL(false);
    private final CorruptQueue corrupt;
    private int references = 1;

    private RocksStore(Path dir, boolean readOnly, boolean shared) throws RocksDBException {
        this.dir = dir;
        this.readOnly = readOnly;
        this.shared = shared;
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                // keep the WAL in the page cache after every write so a later synced write
                // (the journal's) fsyncs earlier unsynced ones (bodies) too
                .setManualWalFlush(false)
                // a torn tail after kill -9 is dropped, everything synced before it is kept
                .setWalRecoveryMode(org.rocksdb.WALRecoveryMode.PointInTimeRecovery)
                .setKeepLogFileNum(5)
                // Bodies fill a WAL file every 64 MB, but the journal's small memtable would keep
                // every old one alive until it filled too: ~1 GB of WAL after a few minutes of
                // 100 KB mail, all replayed at start-up, and deleted in bursts. Past this size
                // RocksDB flushes whatever pins the oldest WAL instead.
                .setMaxTotalWalSize(256L << 20)
                .setMaxBackgroundJobs(2);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options(false)));
        for (Family f : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(f.cfName.getBytes(StandardCharsets.UTF_8),
                    options(f == Family.BODIES)));
        }
        List<Family> opened = new ArrayList<>(List.of(Family.values()));
        if (readOnly) {
            // A read-only open cannot create a family, and fails on one that is missing: a store
            // written by an older version (without bodyrefs, say) shows the families it has.
            List<String> existing;
            try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
                existing = RocksDB.listColumnFamilies(listing, dir.toString()).stream()
                        .map(n -> new String(n, StandardCharsets.UTF_8)).toList();
            }
            for (int i = descriptors.size() - 1; i > 0; i--) {
                if (!existing.contains(opened.get(i - 1).cfName)) {
                    descriptors.remove(i);
                    opened.remove(i - 1);
                }
            }
            db = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles);
        } else {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        }
        for (int i = 0; i < opened.size(); i++) {
            families.put(opened.get(i), handles.get(i + 1));
        }
        committer = readOnly ? null : new GroupCommitter(db, dir.toString(), batchListeners, this::publish);
        corrupt = new CorruptQueue(this);
    }

    private ColumnFamilyOptions options(boolean bodies) {
        // LZ4 rather than RocksDB's default Snappy: on the journal's events it compresses as well
        // (64 MB of memtable → 21.8 MB against 22.7 MB) for a third of the CPU (a flush took 78
        // against 250 ms of CPU), and a flush competes with the SMTP sessions for the cores.
        ColumnFamilyOptions o = new ColumnFamilyOptions().setCompressionType(CompressionType.LZ4_COMPRESSION);
        if (bodies) {
            // Bodies are large, written once and deleted soon: keep them in blob files so
            // compaction moves pointers, not megabytes.
            o.setEnableBlobFiles(true).setMinBlobSize(4096).setEnableBlobGarbageCollection(true);
        }
        cfOptions.add(o);
        return o;
    }

    /** The shared read-write store for {@code dir}; creates the directory and database if needed. */
    public static RocksStore acquire(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (SHARED) {
            RocksStore s = SHARED.get(key);
            if (s != null) {
                s.references++;
                return s;
            }
            try {
                Files.createDirectories(key);
                s = new RocksStore(key, false, true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + key, e);
            } catch (RocksDBException e) {
                throw new StoreException("cannot open " + key + ": " + e.getMessage(), e);
            }
            SHARED.put(key, s);
            return s;
        }
    }

    /**
     * A private read-only view for command-line tools; usable while the server holds the
     * database. Writes (including moving corrupt records aside) are refused.
     */
    public static RocksStore openReadOnly(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(key)) {
            throw new StoreException("no store at " + key, null);
        }
        try {
            return new RocksStore(key, true, false);
        } catch (RocksDBException e) {
            throw new StoreException("cannot open " + key + " read-only: " + e.getMessage(), e);
        }
    }

    /** The store named by {@code smarthost.store.dir}, read-only if {@code smarthost.store.read-only = on}. */
    public static RocksStore fromConfig(Config config) {
        if (!config.hasPath(DIR_KEY) || config.getString(DIR_KEY).isBlank()) {
            throw new StoreException(DIR_KEY + " is not set (the app sets it to ${queue_directory}/db)", null);
        }
        Path dir = Path.of(config.getString(DIR_KEY));
        boolean ro = config.hasPath(READ_ONLY_KEY) && config.getBoolean(READ_ONLY_KEY);
        return ro ? openReadOnly(dir) : acquire(dir);
    }

    public Path dir() {
        return dir;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public RocksDB db() {
        return db;
    }

    /** The family's handle; null only in a read-only view of a store that does not have it yet. */
    public ColumnFamilyHandle family(Family f) {
        return families.get(f);
    }

    /** WAL on, no fsync: for body chunks, made durable by the next synced write (see class comment). */
    public WriteOptions unsyncedWrite() {
        return unsyncedWrite;
    }

    /** Queues a part for the next group commit; completes once the batch is fsynced. */
    public CompletableFuture<Void> commit(BatchPart part) {
        if (readOnly) {
            return CompletableFuture.failedFuture(new StoreException("store " + dir + " is read-only", null));
        }
        return committer.submit(part);
    }

    /** Synced batches written so far (each one fsync), for metrics. */
    public long syncedBatches() {
        return committer == null ? 0 : committer.batches();
    }

    /** Commit requests written so far; parts / batches is the group-commit factor. */
    public long syncedParts() {
        return committer == null ? 0 : committer.parts();
    }

    public void addBatchListener(BatchListener l) {
        batchListeners.add(l);
    }

    /** Subscribes to committed changes; run the returned handle to unsubscribe. Listeners must not block. */
    public Runnable subscribe(Consumer<StoreChange> listener) {
        changeListeners.add(listener);
        return () -> changeListeners.remove(listener);
    }

    private void publish(StoreChange change) {
        for (Consumer<StoreChange> l : changeListeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                log.warn("warning: store change listener failed: {}", e.toString());
            }
        }
    }

    /** One shared helper object per store (e.g. the journal's ID index), created on first use. */
    @SuppressWarnings("unchecked")
    public <T> T attachment(Class<T> type, Function<RocksStore, T> create) {
        return (T) attachments.computeIfAbsent(type, t -> create.apply(this));
    }

    /** The {@code corrupt} queue: records that could not be read, moved aside. */
    public CorruptQueue corrupt() {
        return corrupt;
    }

    /** Gives back one reference; the last one closes the database. */
    @Override
    public void close() {
        if (shared) {
            // Closing under the same lock as acquire(): a reopen of this directory in the same
            // JVM must wait until RocksDB has released its LOCK file, or it fails to open.
            synchronized (SHARED) {
                if (--references > 0) {
                    return;
                }
                SHARED.remove(dir);
                release();
            }
        } else {
            release();
        }
    }

    private void release() {
        if (committer != null) {
            committer.close();
        }
        for (Object a : attachments.values()) {
            if (a instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("warning: {}: cannot close {}: {}", dir, a.getClass().getSimpleName(), e.toString());
                }
            }
        }
        if (!readOnly) {
            flushMemtables();
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        try {
            if (!readOnly) {
                db.syncWal();
            }
        } catch (RocksDBException e) {
            log.warn("warning: {}: cannot sync WAL on close: {}", dir, e.getMessage());
        }
        db.close();
        unsyncedWrite.close();
        dbOptions.close();
        cfOptions.forEach(ColumnFamilyOptions::close);
    }

    /**
     * Writes the memtables out as tables before a clean close. Otherwise the next open replays up
     * to max_total_wal_size of WAL and writes those tables itself, before the server can listen
     * (0.8-1.0 s with 100,000 queued messages on a 2-vCPU VM), and every read-only open by a
     * command in the meantime replays it too. The WAL stays the record until the flush is done,
     * so a flush that fails costs only that time at the next start.
     */
    private void flushMemtables() {
        try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            for (ColumnFamilyHandle h : handles) {
                try {
                    db.flush(wait, h);
                } catch (RocksDBException | RuntimeException e) {
                    // rocksdbjni reports some statuses (a dropped family) as IllegalArgumentException
                    log.warn("warning: {}: cannot write out a memtable on close: {}", dir, e.getMessage());
                }
            }
        }
    }

    /** A store operation failed; the message says what and where. */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
