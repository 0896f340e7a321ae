package org.smarthost.persistence.body;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The body store on a real RocksDB, without an ActorSystem (as the command-line tools use it). */
class BodyStoreTest {

    private static final int FIVE_MB = 5 * 1024 * 1024 + 12345;

    @TempDir
    Path dir;

    /** Writes {@code size} pseudo-random bytes in irregular pieces, both as arrays and buffers; returns the SHA-256. */
    private static byte[] writeRandom(BodyWriter w, long seed, int size) throws Exception {
        Random random = new Random(seed);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        int written = 0;
        boolean asBuffer = false;
        while (written < size) {
            byte[] piece = new byte[Math.min(size - written, 1 + random.nextInt(100_000))];
            random.nextBytes(piece);
            sha.update(piece);
            if (asBuffer) {
                w.append(ByteBuffer.wrap(piece));
            } else {
                w.append(piece);
            }
            asBuffer = !asBuffer;
            written += piece.length;
        }
        return sha.digest();
    }

    private static byte[] digest(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[7919]; // not a divisor of the chunk size
        for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
        }
        return sha.digest();
    }

    @Test
    void multiMegabyteBodyRoundTripsAndSurvivesReopen() throws Exception {
        byte[] expected;
        try (BodyStore store = BodyStore.open(dir)) {
            BodyWriter w = store.openWriter("4XyzAAA");
            expected = writeRandom(w, 1, FIVE_MB);
            assertEquals(FIVE_MB, w.size());
            w.finish();
            assertTrue(store.exists("4XyzAAA"));
            try (InputStream in = store.open("4XyzAAA")) {
                assertArrayEquals(expected, digest(in));
            }
        }
        try (BodyStore store = BodyStore.open(dir); InputStream in = store.open("4XyzAAA")) {
            assertArrayEquals(expected, digest(in), "the body is still there after close and reopen");
        }
    }

    @Test
    void abortAndDeleteRemoveEveryChunk() throws Exception {
        try (BodyStore store = BodyStore.open(dir)) {
            BodyWriter aborted = store.openWriter("4XyzABORT");
            writeRandom(aborted, 2, 3 * 1024 * 1024);
            aborted.abort();
            assertFalse(store.exists("4XyzABORT"));
            assertThrows(IOException.class, () -> aborted.append(new byte[1]));
            assertThrows(NoSuchFileException.class, () -> store.open("4XyzABORT"));

            try (BodyWriter unfinished = store.openWriter("4XyzCLOSED")) {
                writeRandom(unfinished, 3, 200_000);
            }
            assertFalse(store.exists("4XyzCLOSED"), "closing an unfinished writer aborts it");

            BodyWriter kept = store.openWriter("4XyzKEEP");
            writeRandom(kept, 4, 2 * 1024 * 1024);
            kept.finish();
            BodyWriter deleted = store.openWriter("4XyzDEL");
            writeRandom(deleted, 5, 2 * 1024 * 1024);
            deleted.finish();
            assertEquals(List.of("4XyzDEL", "4XyzKEEP"), store.queueIds());

            InputStream reading = store.open("4XyzDEL");
            store.delete("4XyzDEL");
            assertFalse(store.exists("4XyzDEL"));
            assertEquals(List.of("4XyzKEEP"), store.queueIds());
            // a delivery that started before the delete still reads the whole body
            assertEquals(2 * 1024 * 1024, reading.transferTo(OutputStream.nullOutputStream()));
            reading.close();
        }
    }

    @Test
    void deleteBySizeRemovesEveryChunkOfBodiesOfAnySize() throws Exception {
        try (BodyStore store = BodyStore.open(dir)) {
            int chunk = BodyStore.DEFAULT_CHUNK_SIZE;
            // sizes around the growth steps of the writer's buffer and the chunk boundary
            int[] sizes = {0, 1, 4095, 4096, 4097, 20_000, chunk - 1, chunk, chunk + 1, 3 * chunk + 17};
            for (int i = 0; i < sizes.length; i++) {
                BodyWriter w = store.openWriter("4XyzSIZE" + i);
                writeRandom(w, 100 + i, sizes[i]);
                w.finish();
                try (InputStream in = store.open("4XyzSIZE" + i)) {
                    assertEquals(sizes[i], in.transferTo(OutputStream.nullOutputStream()));
                }
            }
            BodyWriter kept = store.openWriter("4XyzSIZEKEPT");
            writeRandom(kept, 7, 2 * chunk);
            kept.finish();
            for (int i = 0; i < sizes.length; i++) {
                store.delete("4XyzSIZE" + i, sizes[i]).get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertFalse(store.exists("4XyzSIZE" + i));
            }
            assertEquals(List.of("4XyzSIZEKEPT"), store.queueIds(), "no chunk of a deleted body is left");
        }
    }

    @Test
    void smallAndEmptyBodies() throws Exception {
        try (BodyStore store = BodyStore.open(dir)) {
            BodyWriter empty = store.openWriter("4XyzEMPTY");
            empty.finish();
            assertTrue(store.exists("4XyzEMPTY"));
            try (InputStream in = store.open("4XyzEMPTY")) {
                assertEquals(-1, in.read());
            }
            byte[] text = "Subject: hi\r\n\r\nexactly one chunk\r\n".getBytes(StandardCharsets.US_ASCII);
            BodyWriter w = store.openWriter("4XyzSMALL");
            try (OutputStream out = w.asOutputStream()) {
                out.write(text);
            }
            try (InputStream in = store.open("4XyzSMALL")) {
                assertArrayEquals(text, in.readAllBytes());
            }
            // exactly one full chunk: no empty trailing chunk needed
            BodyWriter exact = store.openWriter("4XyzEXACT");
            exact.append(new byte[BodyStore.DEFAULT_CHUNK_SIZE]);
            exact.finish();
            try (InputStream in = store.open("4XyzEXACT")) {
                assertEquals(BodyStore.DEFAULT_CHUNK_SIZE, in.readAllBytes().length);
            }
            assertThrows(IllegalArgumentException.class, () -> store.openWriter("bad\0id"));
        }
    }

    @Test
    void aWriterSizedInAdvanceStoresAnyBody() throws Exception {
        // the hint only sizes the first buffer: a body shorter, equal or longer comes out whole
        byte[] text = "Subject: sized\r\n\r\n".repeat(300).getBytes(StandardCharsets.US_ASCII);
        try (BodyStore store = BodyStore.open(dir)) {
            int[] hints = {0, 1, 100, text.length, text.length + 1, 10 * BodyStore.DEFAULT_CHUNK_SIZE};
            for (int i = 0; i < hints.length; i++) {
                String id = "4XyzSIZED" + i;
                BodyWriter w = store.openWriter(id, hints[i]);
                w.append(text);
                w.finishWithNextCommit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                try (InputStream in = store.open(id)) {
                    assertArrayEquals(text, in.readAllBytes(), "hint " + hints[i]);
                }
            }
        }
    }

    @Test
    void aHeldBodyWritesNothingUntilItsChunksJoinTheNextCommit() throws Exception {
        int chunk = BodyStore.DEFAULT_CHUNK_SIZE;
        try (BodyStore store = BodyStore.open(dir)) {
            // sizes around chunk boundaries; the announced size is the real one, or off by some
            int[] sizes = {0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 7, 4 * chunk - 3};
            int n = 0;
            for (int i = 0; i < sizes.length; i++) {
                for (int announced : new int[] {sizes[i], sizes[i] / 2, sizes[i] + chunk}) {
                    String id = "4XyzHELD" + n++;
                    BodyWriter w = store.openHeldWriter(id, announced);
                    byte[] expected = writeRandom(w, i, sizes[i]);
                    assertFalse(store.exists(id), "nothing is written before the commit: " + sizes[i]);
                    w.finishWithNextCommit().get(10, TimeUnit.SECONDS);
                    try (InputStream in = store.open(id)) {
                        assertArrayEquals(expected, digest(in), "size " + sizes[i] + " announced " + announced);
                    }
                }
            }
            // finish() writes a held body at once, in one write
            BodyWriter w = store.openHeldWriter("4XyzHELDNOW", 3 * chunk);
            byte[] expected = writeRandom(w, 99, 3 * chunk);
            w.finish();
            try (InputStream in = store.open("4XyzHELDNOW")) {
                assertArrayEquals(expected, digest(in));
            }
            // an aborted held body leaves nothing
            BodyWriter aborted = store.openHeldWriter("4XyzHELDABORT", 2 * chunk);
            writeRandom(aborted, 7, 2 * chunk);
            aborted.abort();
            assertFalse(store.exists("4XyzHELDABORT"));
        }
    }

    @Test
    void aSecondProcessCanReadWhileTheServerHoldsTheStore() throws Exception {
        try (BodyStore store = BodyStore.open(dir)) {
            BodyWriter w = store.openWriter("4XyzSHARED");
            byte[] expected = writeRandom(w, 6, 3 * 1024 * 1024);
            w.finish();
            store.store().db().flushWal(true); // what a synced journal write would have done

            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ReadOnlyBodyDigest.class.getName(),
                    dir.toString(), "4XyzSHARED")
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), output);
            assertEquals(HexFormat.of().formatHex(expected), output.lines().reduce((a, b) -> b).orElse(""));
            assertTrue(store.exists("4XyzSHARED"), "the server's store is untouched");
        }
    }
}
