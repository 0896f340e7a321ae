package org.smarthost.persistence.body;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.smarthost.persistence.store.RocksStore;
import org.smarthost.persistence.store.StoreChange;

/**
 * Writes one message body as fixed-size chunks, each its own key, so a streamed body is never
 * held whole in memory (at most one chunk is buffered).
 *
 * <p>Chunks are written with the WAL but NOT synced. That is deliberate: the body is made
 * durable by the synced journal write of MessageReceived that follows in the same database —
 * both go to one WAL, and fsync of the WAL covers everything written before. So call
 * {@link #finish()} (or {@link #finishWithNextCommit()}) before persisting MessageReceived, and
 * answer 250 only after that persist.
 *
 * <p>A writer for a body that is already whole in memory ({@link BodyStore#openHeldWriter}) writes
 * nothing before {@link #finishWithNextCommit()}, which puts every chunk in the store's next group
 * commit: the caller's thread (smtpd's event loop) never waits for the disk, and the body costs no
 * write of its own.
 *
 * <p>Not thread-safe: one writer per SMTP transaction. {@link #close()} aborts a writer that
 * was not finished, so try-with-resources never leaves half a body behind.
 */
public final class BodyWriter implements AutoCloseable {

    private final RocksStore store;
    private final ColumnFamilyHandle bodies;
    /** Where a held body of {@link BodyStore#LOG_THRESHOLD} bytes or more goes; null: always RocksDB. */
    private final BodyLog bodyLog;
    private final String queueId;
    private final int chunkSize;
    /**
     * The chunk being filled. It starts small and doubles up to {@code chunkSize}: most mail is
     * a few KB, and a full 64 KiB array per message was the largest source of garbage.
     */
    private byte[] chunk;
    private int filled;
    private int chunks;
    private long size;
    private boolean finished;
    private boolean aborted;
    /** Full chunks of a held body, in order, not yet written; null for a streamed body. */
    private final List<byte[]> held;
    /** The size a held body announced, so each of its chunk buffers is allocated at its final size. */
    private final long expectedSize;

    static final int INITIAL_BUFFER = 4096;

    BodyWriter(RocksStore store, String queueId, int chunkSize, int initialBuffer) {
        this(store, null, queueId, chunkSize, initialBuffer, false);
    }

    BodyWriter(RocksStore store, BodyLog bodyLog, String queueId, int chunkSize, int expectedSize, boolean hold) {
        this.store = store;
        this.bodies = store.family(RocksStore.Family.BODIES);
        this.bodyLog = bodyLog;
        this.queueId = queueId;
        this.chunkSize = chunkSize;
        this.expectedSize = expectedSize;
        this.held = hold ? new ArrayList<>() : null;
        this.chunk = new byte[Math.max(1, Math.min(expectedSize, chunkSize))];
        BodyKeys.chunk(queueId, 0); // validates the queue id early
    }

    public String queueId() {
        return queueId;
    }

    public void append(byte[] bytes) throws IOException {
        append(bytes, 0, bytes.length);
    }

    public void append(byte[] bytes, int offset, int length) throws IOException {
        checkOpen();
        while (length > 0) {
            ensureRoom(length);
            int n = Math.min(length, chunk.length - filled);
            System.arraycopy(bytes, offset, chunk, filled, n);
            filled += n;
            offset += n;
            length -= n;
            size += n;
            if (filled == chunkSize) {
                flushChunk();
            }
        }
    }

    /** Appends the buffer's remaining bytes (its position moves to its limit). */
    public void append(ByteBuffer buffer) throws IOException {
        checkOpen();
        while (buffer.hasRemaining()) {
            ensureRoom(buffer.remaining());
            int n = Math.min(buffer.remaining(), chunk.length - filled);
            buffer.get(chunk, filled, n);
            filled += n;
            size += n;
            if (filled == chunkSize) {
                flushChunk();
            }
        }
    }

    /** Bytes appended so far. */
    public long size() {
        return size;
    }

    /**
     * Writes the last partial chunk. An empty body still gets an (empty) chunk so that
     * {@link BodyStore#exists} is true. The body is durable once the next synced journal write
     * (MessageReceived) completes.
     */
    public void finish() throws IOException {
        checkOpen();
        if (held != null) {
            finishHeld();
            return;
        }
        if (lastChunkPending()) {
            flushChunk();
        }
        finished = true;
    }

    /** finish() of a held body: all its chunks in one write. */
    private void finishHeld() throws IOException {
        List<byte[]> values = unwrittenChunks();
        try (WriteBatch batch = new WriteBatch()) {
            putChunks(batch, values);
            store.db().write(store.unsyncedWrite(), batch);
        } catch (RocksDBException e) {
            throw new IOException("cannot write body " + queueId + ": " + e.getMessage(), e);
        }
    }

    /** Marks the writer finished and hands over the chunks not written yet (held ones, then the last one). */
    private List<byte[]> unwrittenChunks() {
        finished = true;
        List<byte[]> values = held == null ? new ArrayList<>(1) : held;
        if (lastChunkPending()) {
            values.add(filledPart()); // nothing writes into the buffer once finished
            chunks++;
            filled = 0;
        }
        return values;
    }

    /** The chunks of {@link #unwrittenChunks()}, which are the last ones written. */
    private void putChunks(WriteBatch batch, List<byte[]> values) throws RocksDBException {
        int first = chunks - values.size();
        for (int i = 0; i < values.size(); i++) {
            batch.put(bodies, BodyKeys.chunk(queueId, first + i), values.get(i));
        }
    }

    /**
     * As {@link #finish()}, but the last chunk is not written now: it joins the store's next
     * group commit, which is also where the journal write of MessageReceived goes. The store
     * commits in submission order, so a MessageReceived persisted after this call is in the same
     * synced batch or a later one, and its fsync covers the body. That saves a write of its own
     * (and a thread hop to run it) per message, which for small mail is the whole body. The future
     * completes when the chunk is written; it fails when the batch fails (RocksDB then refuses
     * every later write too, so a MessageReceived cannot be committed without its body).
     *
     * <p>A held body of {@link BodyStore#LOG_THRESHOLD} bytes or more goes to the body log
     * instead, in the same group commit: the commit thread appends it there, puts its reference
     * in the batch, and syncs the log before the batch (see {@link BodyLog}).
     */
    public CompletableFuture<Void> finishWithNextCommit() {
        try {
            checkOpen();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<byte[]> values = unwrittenChunks();
        if (values.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (held != null && bodyLog != null && size >= BodyStore.LOG_THRESHOLD) {
            return toBodyLog(values);
        }
        return store.commit(batch -> {
            putChunks(batch, values);
            return StoreChange.NONE;
        });
    }

    private CompletableFuture<Void> toBodyLog(List<byte[]> values) {
        ColumnFamilyHandle refs = store.family(RocksStore.Family.BODYREFS);
        byte[] key = BodyKeys.chunk(queueId, 0);
        int length = (int) size;
        int crc = BodyLog.crc(values); // here, not on the commit thread
        return store.commit(batch -> {
            try {
                batch.put(refs, key, bodyLog.append(queueId, values, length, crc));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write body " + queueId + " to the body log: " + e.getMessage(), e);
            }
            return StoreChange.NONE;
        });
    }

    /** Finishing still has a chunk to write: a partial one, or the empty only chunk of an empty body. */
    private boolean lastChunkPending() {
        return filled > 0 || chunks == 0;
    }

    /** Deletes every chunk written so far; the writer cannot be used afterwards. */
    public void abort() throws IOException {
        if (aborted) {
            return;
        }
        aborted = true;
        filled = 0;
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < chunks; i++) {
                batch.delete(bodies, BodyKeys.chunk(queueId, i));
            }
            store.db().write(store.unsyncedWrite(), batch);
        } catch (RocksDBException e) {
            throw new IOException("cannot abort body " + queueId + ": " + e.getMessage(), e);
        }
    }

    /** An OutputStream view; its close() finishes the body. */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                append(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                append(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (!finished && !aborted) {
                    finish();
                }
            }
        };
    }

    /** Aborts unless {@link #finish()} was called. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            abort();
        }
    }

    /** Grows the buffer (never beyond chunkSize) so that {@code wanted} more bytes fit, if they can. */
    private void ensureRoom(int wanted) {
        if (chunk.length - filled >= wanted || chunk.length == chunkSize) {
            return;
        }
        int grown = chunk.length;
        while (grown - filled < wanted && grown < chunkSize) {
            grown = Math.min(chunkSize, grown * 2);
        }
        chunk = Arrays.copyOf(chunk, grown);
    }

    /** The filled part of the buffer: the buffer itself when it is full, else a copy of that part. */
    private byte[] filledPart() {
        return filled == chunk.length ? chunk : Arrays.copyOf(chunk, filled);
    }

    private void flushChunk() throws IOException {
        byte[] value = filledPart();
        if (held != null) {
            held.add(value);
            chunks++;
            filled = 0;
            chunk = new byte[(int) Math.max(1, Math.min(chunkSize, expectedSize - size))];
            return;
        }
        try {
            // WAL on, sync off: see the class comment for why this is durable enough
            store.db().put(bodies, store.unsyncedWrite(), BodyKeys.chunk(queueId, chunks), value);
        } catch (RocksDBException e) {
            throw new IOException("cannot write body " + queueId + ": " + e.getMessage(), e);
        }
        chunks++;
        filled = 0;
    }

    private void checkOpen() throws IOException {
        if (aborted) {
            throw new IOException("body writer for " + queueId + " was aborted");
        }
        if (finished) {
            throw new IOException("body writer for " + queueId + " is finished");
        }
    }
}
