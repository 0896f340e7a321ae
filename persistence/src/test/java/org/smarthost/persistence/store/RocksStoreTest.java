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
        first.commit(batch -> {
            batch.put(first.family(RocksStore.Family.SNAPSHOTS), KEY, KEY);
            return StoreChange.NONE;
        }).get(10, TimeUnit.SECONDS);
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
    void readOnlyViewWhileTheWriterHoldsTheDatabase() throws Exception {
        try (RocksStore writer = RocksStore.acquire(dir)) {
            writer.commit(batch -> {
                batch.put(writer.family(RocksStore.Family.SNAPSHOTS), KEY, KEY);
                return StoreChange.NONE;
            }).get(10, TimeUnit.SECONDS);
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
}
