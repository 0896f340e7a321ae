package org.smarthost.persistence.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.TableProperties;
import org.junit.jupiter.api.io.TempDir;

class RocksStoreTest {

    @TempDir
    Path dir;

    private static final byte[] KEY = {7};

    @Test
    void oneDatabasePerDirectoryClosedByTheLastReference() throws Exception {
        RocksStore first = RocksStore.acquire(dir);
        RocksStore second = RocksStore.acquire(dir.resolve("x").resolve(".."));
        assertSame(first, second, "the same directory shares one RocksDB");
        commitKey(first, RocksStore.Family.SNAPSHOTS);
        first.close();
        // still open for the second holder
        assertArrayEquals(KEY, second.db().get(second.family(RocksStore.Family.SNAPSHOTS), KEY));
        second.close();

        try (RocksStore reopened = RocksStore.acquire(dir)) {
            assertTrue(reopened != first, "a new instance after the last close");
            assertArrayEquals(KEY, reopened.db().get(reopened.family(RocksStore.Family.SNAPSHOTS), KEY));
        }
    }

    @Test
    void aCleanCloseLeavesNoWalToReplay() throws Exception {
        try (RocksStore store = RocksStore.acquire(dir)) {
            commitKey(store, RocksStore.Family.JOURNAL);
            assertTrue(walBytes() > 0, "the committed write is in the WAL");
        }
        assertEquals(0, walBytes(), "the memtables were written out as tables on close");
        try (RocksStore reopened = RocksStore.acquire(dir)) {
            assertArrayEquals(KEY, reopened.db().get(reopened.family(RocksStore.Family.JOURNAL), KEY));
        }
    }

    private long walBytes() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    @Test
    void oldWalFilesGoAlthoughTheJournalRarelyFillsItsMemtable() throws Exception {
        try (RocksStore store = RocksStore.acquire(dir)) {
            // one small journal record in the first WAL file, then 512 MB of bodies that are
            // delivered (deleted) at once, as a busy queue of large mail does
            commitKey(store, RocksStore.Family.JOURNAL);
            byte[] body = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {
                byte[] key = ("body-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                store.db().put(store.family(RocksStore.Family.BODIES), store.unsyncedWrite(), key, body);
                store.db().delete(store.family(RocksStore.Family.BODIES), store.unsyncedWrite(), key);
            }
            long wal = 0;
            for (int wait = 0; wait < 100; wait++) {   // the flush that frees old WAL files runs in the background
                wal = walBytes();
                if (wal <= 384L << 20) break;
                Thread.sleep(100);
            }
            assertTrue(wal <= 384L << 20, "WAL files hold " + (wal >> 20) + " MB");
            assertArrayEquals(KEY, store.db().get(store.family(RocksStore.Family.JOURNAL), KEY));
        }
    }

    @Test
    void readOnlyViewWhileTheWriterHoldsTheDatabase() throws Exception {
        try (RocksStore writer = RocksStore.acquire(dir)) {
            commitKey(writer, RocksStore.Family.SNAPSHOTS);
            try (RocksStore reader = RocksStore.openReadOnly(dir)) {
                assertArrayEquals(KEY, reader.db().get(reader.family(RocksStore.Family.SNAPSHOTS), KEY));
                ExecutionException refused = assertThrows(ExecutionException.class, () -> reader.commit(batch -> {
                    batch.delete(reader.family(RocksStore.Family.SNAPSHOTS), KEY);
                    return StoreChange.NONE;
                }).get(10, TimeUnit.SECONDS));
                assertTrue(refused.getCause().getMessage().contains("read-only"));
            }
        }
        assertThrows(RocksStore.StoreException.class, () -> RocksStore.openReadOnly(dir.resolve("missing")));
    }

    @Test
    void tablesAreWrittenWithLz4() throws Exception {
        try (RocksStore store = RocksStore.acquire(dir)) {
            for (RocksStore.Family family : List.of(RocksStore.Family.JOURNAL, RocksStore.Family.IDS,
                    RocksStore.Family.TAGS, RocksStore.Family.BODIES)) {
                commitKey(store, family);
                try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
                    store.db().flush(wait, store.family(family));
                }
                Map<String, TableProperties> tables = store.db().getPropertiesOfAllTables(store.family(family));
                assertFalse(tables.isEmpty(), family + ": no table after the flush");
                for (TableProperties t : tables.values()) {
                    assertEquals("LZ4", t.getCompressionName(), family + " table compression");
                }
            }
        }
    }

    @Test
    void snappyTablesOfAnOlderQueueStillRead() throws Exception {
        // a journal table as RocksDB's default (Snappy) wrote it before the store chose LZ4
        List<ColumnFamilyDescriptor> cfs = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(RocksStore.Family.JOURNAL.cfName().getBytes(StandardCharsets.UTF_8),
                        new ColumnFamilyOptions().setCompressionType(CompressionType.SNAPPY_COMPRESSION)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB old = RocksDB.open(options, dir.toString(), cfs, handles);
             FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            old.put(handles.get(1), KEY, KEY);
            old.flush(wait, handles.get(1));
            assertEquals("Snappy", old.getPropertiesOfAllTables(handles.get(1)).values().iterator().next().getCompressionName());
            handles.forEach(ColumnFamilyHandle::close);
        }
        try (RocksStore store = RocksStore.acquire(dir)) {
            assertArrayEquals(KEY, store.db().get(store.family(RocksStore.Family.JOURNAL), KEY));
        }
    }

    @Test
    void missingDirSettingIsAClearError() {
        RocksStore.StoreException e = assertThrows(RocksStore.StoreException.class,
                () -> RocksStore.fromConfig(com.typesafe.config.ConfigFactory.empty()));
        assertTrue(e.getMessage().contains("smarthost.store.dir"));
    }

    /** Puts KEY → KEY into {@code family} in a synced group commit. */
    private static void commitKey(RocksStore store, RocksStore.Family family) throws Exception {
        store.commit(batch -> {
            batch.put(store.family(family), KEY, KEY);
            return StoreChange.NONE;
        }).get(10, TimeUnit.SECONDS);
    }
}
