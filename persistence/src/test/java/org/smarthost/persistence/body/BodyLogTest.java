package org.smarthost.persistence.body;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.store.RocksStore;

/** Large held bodies in the body log: where they go, how they come back, when their segments go. */
class BodyLogTest {

    private static final int LARGE = 100 * 1024;

    @TempDir
    Path dir;

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A held body written the way smtpd's transactions write it: whole, in the next group commit. */
    private static void writeHeld(BodyStore store, String id, byte[] body) throws Exception {
        BodyWriter w = store.openHeldWriter(id, body.length);
        w.append(body);
        w.finishWithNextCommit().get(10, TimeUnit.SECONDS);
    }

    private static byte[] read(BodyStore store, String id) throws IOException {
        try (InputStream in = store.open(id)) {
            return in.readAllBytes();
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(BodyLog.DIRECTORY))) {
            return files.filter(f -> f.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static byte[] get(BodyStore store, RocksStore.Family family, String id) throws Exception {
        return store.store().db().get(store.store().family(family), BodyKeys.chunk(id, 0));
    }

    /** Segment removal runs off the thread that released the last body; give it a moment. */
    private void awaitSegments(int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (segments().size() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, segments().size(), segments().toString());
    }

    @Test
    void largeHeldBodiesGoToTheLogAndSmallOnesStayInRocksDb() throws Exception {
        byte[] large = random(1, LARGE);
        byte[] threshold = random(2, BodyStore.LOG_THRESHOLD);
        byte[] small = random(3, BodyStore.LOG_THRESHOLD - 1);
        try (BodyStore store = BodyStore.open(dir)) {
            writeHeld(store, "4XyzLARGE", large);
            writeHeld(store, "4XyzEDGE", threshold);
            writeHeld(store, "4XyzSMALL", small);

            assertNotNull(get(store, RocksStore.Family.BODYREFS, "4XyzLARGE"));
            assertNull(get(store, RocksStore.Family.BODIES, "4XyzLARGE"), "not in RocksDB too");
            assertNotNull(get(store, RocksStore.Family.BODYREFS, "4XyzEDGE"));
            assertNull(get(store, RocksStore.Family.BODYREFS, "4XyzSMALL"));
            assertNotNull(get(store, RocksStore.Family.BODIES, "4XyzSMALL"));
            assertEquals(1, segments().size());
            assertEquals(14 + "4XyzLARGE".length() + LARGE + 14 + "4XyzEDGE".length() + BodyStore.LOG_THRESHOLD,
                    Files.size(segments().get(0)), "two records: each a 14-byte header with the queue id, then the body");

            assertArrayEquals(large, read(store, "4XyzLARGE"));
            assertArrayEquals(threshold, read(store, "4XyzEDGE"));
            assertArrayEquals(small, read(store, "4XyzSMALL"));
            assertTrue(store.exists("4XyzLARGE"));
            assertEquals(List.of("4XyzEDGE", "4XyzLARGE", "4XyzSMALL"), store.queueIds());

            store.delete("4XyzLARGE", LARGE).get(10, TimeUnit.SECONDS);
            store.delete("4XyzEDGE"); // postsuper -d's way, which reads before it deletes
            assertFalse(store.exists("4XyzLARGE"));
            assertFalse(store.exists("4XyzEDGE"));
            assertThrows(NoSuchFileException.class, () -> store.open("4XyzLARGE"));
            assertEquals(List.of("4XyzSMALL"), store.queueIds());
        }
    }

    @Test
    void aSegmentIsRemovedOnceItIsFullAndNothingPointsIntoIt() throws Exception {
        try (RocksStore rocks = RocksStore.acquire(dir)) {
            // three bodies per segment
            rocks.attachment(BodyLog.class, s -> new BodyLog(s, 3 * LARGE));
            try (BodyStore store = BodyStore.open(dir)) {
                for (int i = 0; i < 7; i++) {
                    writeHeld(store, "4XyzROLL" + i, random(i, LARGE));
                }
                awaitSegments(3);
                for (int i = 0; i < 6; i++) {
                    store.delete("4XyzROLL" + i, LARGE).get(10, TimeUnit.SECONDS);
                }
                awaitSegments(1); // the active one, with body 6
                assertArrayEquals(random(6, LARGE), read(store, "4XyzROLL6"));

                store.delete("4XyzROLL6", LARGE).get(10, TimeUnit.SECONDS);
                awaitSegments(1); // nothing points into it, but it is still the one being written to
                writeHeld(store, "4XyzROLL7", random(7, LARGE));
                writeHeld(store, "4XyzROLL8", random(8, LARGE));
                awaitSegments(1); // bodies 6 (removed), 7 and 8: full
                writeHeld(store, "4XyzROLL9", random(9, LARGE));
                awaitSegments(2);
                store.delete("4XyzROLL7", LARGE).get(10, TimeUnit.SECONDS);
                store.delete("4XyzROLL8", LARGE).get(10, TimeUnit.SECONDS);
                awaitSegments(1); // full and unreferenced: removed at its last body's removal

                writeHeld(store, "4XyzROLL10", random(10, LARGE));
                writeHeld(store, "4XyzROLL11", random(11, LARGE));
                for (int i = 9; i < 12; i++) {
                    store.delete("4XyzROLL" + i, LARGE).get(10, TimeUnit.SECONDS);
                }
                awaitSegments(1);
                writeHeld(store, "4XyzROLL12", random(12, LARGE));
                awaitSegments(1); // full and unreferenced when the next one started: removed then
                assertArrayEquals(random(12, LARGE), read(store, "4XyzROLL12"));
            }
        }
    }

    @Test
    void aReopenedStoreKeepsItsBodiesAndDropsSegmentsNobodyReferences() throws Exception {
        byte[] kept = random(7, LARGE);
        try (BodyStore store = BodyStore.open(dir)) {
            writeHeld(store, "4XyzKEPT", kept);
            writeHeld(store, "4XyzGONE", random(8, LARGE));
            store.delete("4XyzGONE", LARGE).get(10, TimeUnit.SECONDS);
        }
        // what a crash between a record's write and its batch's commit leaves behind
        Path stray = dir.resolve(BodyLog.DIRECTORY).resolve("00000041.seg");
        Files.write(stray, random(9, 5000));

        try (BodyStore store = BodyStore.open(dir)) {
            assertFalse(Files.exists(stray), "a segment no reference points into is removed at start-up");
            assertArrayEquals(kept, read(store, "4XyzKEPT"));
            writeHeld(store, "4XyzNEW", random(10, LARGE));
            assertEquals(List.of(dir.resolve(BodyLog.DIRECTORY).resolve("00000001.seg"),
                    dir.resolve(BodyLog.DIRECTORY).resolve("00000042.seg")), segments(),
                    "new bodies go to a new segment, numbered after every earlier one");
            store.delete("4XyzKEPT", LARGE).get(10, TimeUnit.SECONDS);
            awaitSegments(1);
            assertArrayEquals(random(10, LARGE), read(store, "4XyzNEW"));
        }
    }

    @Test
    void theFirstReadComesFromMemoryLaterOnesFromTheSegment() throws Exception {
        try (BodyStore store = BodyStore.open(dir)) {
            byte[] body = random(15, LARGE);
            writeHeld(store, "4XyzMEM", body);
            try (FileChannel f = FileChannel.open(segments().get(0), StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(new byte[] {(byte) ~body[5000]}), 14 + 7 + 5000);
            }
            assertArrayEquals(body, read(store, "4XyzMEM"), "the bytes as appended, not the file's");
            assertThrows(IOException.class, () -> read(store, "4XyzMEM"), "the file, damaged above");

            // bounded: bodies nobody reads are kept up to the limit, the rest only on disk
            BodyLog log = store.store().attachment(BodyLog.class, s -> null);
            int fit = (int) (BodyLog.UNREAD_LIMIT / LARGE);
            for (int i = 0; i <= fit; i++) {
                writeHeld(store, "4XyzUNREAD" + i, random(i, LARGE));
            }
            assertNotNull(log.takeUnread("4XyzUNREAD" + (fit - 1)));
            assertNull(log.takeUnread("4XyzUNREAD" + fit));
            assertArrayEquals(random(fit, LARGE), read(store, "4XyzUNREAD" + fit));
            // a removed body leaves memory too
            writeHeld(store, "4XyzGONE", random(16, LARGE));
            store.delete("4XyzGONE", LARGE).get(10, TimeUnit.SECONDS);
            assertNull(log.takeUnread("4XyzGONE"));
        }
    }

    @Test
    void aDamagedRecordIsAnErrorNeverWrongContent() throws Exception {
        try (BodyStore store = BodyStore.open(dir)) {
            writeHeld(store, "4XyzBAD", random(11, LARGE));
            read(store, "4XyzBAD"); // the first read comes from memory
            try (FileChannel f = FileChannel.open(segments().get(0), StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(new byte[] {42}), 5000); // inside the body
            }
            IOException e = assertThrows(IOException.class, () -> read(store, "4XyzBAD"));
            assertTrue(e.getMessage().contains("4XyzBAD is corrupt") && e.getMessage().contains("checksum"),
                    e.getMessage());

            writeHeld(store, "4XyzCUT", random(12, LARGE));
            read(store, "4XyzCUT");
            try (FileChannel f = FileChannel.open(segments().get(0), StandardOpenOption.WRITE)) {
                f.truncate(f.size() - 1);
            }
            e = assertThrows(IOException.class, () -> read(store, "4XyzCUT"));
            assertTrue(e.getMessage().contains("segment ends inside the record"), e.getMessage());
        }
    }

    @Test
    void aReadOnlyViewReadsTheLogWhileTheServerHoldsTheStore() throws Exception {
        byte[] body = random(13, LARGE);
        try (BodyStore store = BodyStore.open(dir)) {
            writeHeld(store, "4XyzVIEW", body);
            try (BodyStore view = BodyStore.openReadOnly(dir)) {
                assertArrayEquals(body, read(view, "4XyzVIEW"));
                assertEquals(List.of("4XyzVIEW"), view.queueIds());
            }
            assertArrayEquals(body, read(store, "4XyzVIEW"), "the server's store is untouched");
        }
    }

    @Test
    void aReadOnlyViewOfAStoreFromBeforeTheBodyLogReadsItsBodies() throws Exception {
        byte[] body = random(14, 2 * LARGE);
        try (BodyStore store = BodyStore.open(dir)) {
            BodyWriter w = store.openWriter("4XyzOLD"); // streamed: RocksDB chunks, as before the log
            w.append(body);
            w.finish();
            store.store().db().flushWal(true);
            // what a store written by an earlier version lacks
            store.store().db().dropColumnFamily(store.store().family(RocksStore.Family.BODYREFS));
        }
        try (BodyStore view = BodyStore.openReadOnly(dir)) {
            assertNull(view.store().family(RocksStore.Family.BODYREFS));
            assertArrayEquals(body, read(view, "4XyzOLD"));
            assertEquals(List.of("4XyzOLD"), view.queueIds());
            assertThrows(NoSuchFileException.class, () -> view.open("4XyzNONE"));
        }
    }
}
