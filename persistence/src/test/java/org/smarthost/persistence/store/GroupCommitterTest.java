package org.smarthost.persistence.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The committer's hold, with a pacer whose window is long enough to observe from a test. */
class GroupCommitterTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void whileWritesArriveFastABatchWaitsForTheWritesOfItsWindow() throws Exception {
        RocksDB.loadLibrary();
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(options, dir.toString())) {
            // a 2 s window, the rate measured every 50 ms: after one write in a period, that is
            // 40 writes per window, so every later batch is held
            CommitPacer pacer = new CommitPacer(2 * SECOND, 50_000_000L, System.nanoTime());
            GroupCommitter committer = new GroupCommitter(db, "test", List.of(), change -> { }, pacer);
            try {
                committer.submit(put(1)).get(10, TimeUnit.SECONDS);
                assertEquals(1, committer.batches(), "the first write: no rate yet, committed at once");
                Thread.sleep(60);

                CompletableFuture<Void> second = committer.submit(put(2));
                Thread.sleep(100);
                assertFalse(second.isDone(), "held: its window has not ended");
                CompletableFuture<Void> third = committer.submit(put(3));
                CompletableFuture.allOf(second, third).get(10, TimeUnit.SECONDS);

                assertEquals(2, committer.batches(), "the second and third write shared one fsync");
                assertEquals(3, committer.parts());
                for (int i = 1; i <= 3; i++) {
                    assertArrayEquals(new byte[] {(byte) i}, db.get(new byte[] {(byte) i}));
                }
            } finally {
                committer.close();
            }
        }
    }

    private static BatchPart put(int i) {
        return batch -> {
            batch.put(new byte[] {(byte) i}, new byte[] {(byte) i});
            return StoreChange.NONE;
        };
    }
}
