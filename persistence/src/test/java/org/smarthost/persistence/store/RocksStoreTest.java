package org.smarthost.persistence.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
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
                try (var files = java.nio.file.Files.list(dir)) {
                    wal = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
                }
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
