package org.smarthost.persistence.body;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.persistence.store.BatchListener;
import org.smarthost.persistence.store.RocksStore;

/**
 * Large bodies in append-only segment files beside the database ({@code db/bodylog/NNNNNNNN.seg}),
 * each referenced by a small record in the {@code bodyrefs} column family.
 *
 * <p>Why not RocksDB: every byte written to it passes through its WAL, whose CRC32C the Maven
 * Central rocksdbjni computes with a lookup table (the library has no {@code crc32} instruction);
 * for 100 KB mail that was 11% of the server's CPU, on the single commit thread. Here a body costs
 * one write(2), and its CRC32C is the JVM's, which uses the CPU's instruction.
 *
 * <p>Durability: records are appended by the store's commit thread while it fills a batch (so
 * there is one writer and no lock on the file), and the batch carries their references. Before
 * that batch is written and synced, {@link #batchFilled} fdatasyncs every segment written since
 * the last sync, and the directory when a segment was created. A reference that survives a crash
 * therefore always points at bytes that survived it; a record whose batch did not survive is
 * unreferenced garbage, dropped with its segment.
 *
 * <p>Space: the active segment is replaced once it holds {@code segmentBytes}; a replaced segment
 * is deleted when no reference points into it any more. Which bodies live where is kept in memory
 * (rebuilt from {@code bodyrefs} at start-up, when segments nobody references are deleted too),
 * so removing a body needs no read.
 */
final class BodyLog implements BatchListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("postfix/qmgr");
    static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    static final String DIRECTORY = "bodylog";
    private static final int MAGIC = 0x53484231; // "SHB1"
    private static final byte REF_VERSION = 1;
    private static final int REF_LENGTH = 1 + 8 + 8 + 4 + 4;

    /** Where one body is: what the {@code bodyrefs} value says. */
    record Ref(long segment, long offset, int length, int crc) {
        byte[] encode() {
            return ByteBuffer.allocate(REF_LENGTH).put(REF_VERSION).putLong(segment).putLong(offset).putInt(length)
                    .putInt(crc).array();
        }

        static Ref decode(String queueId, byte[] value) throws IOException {
            if (value.length != REF_LENGTH || value[0] != REF_VERSION) {
                throw new IOException("body " + queueId + ": unreadable body reference (" + value.length + " bytes)");
            }
            ByteBuffer b = ByteBuffer.wrap(value, 1, REF_LENGTH - 1);
            return new Ref(b.getLong(), b.getLong(), b.getInt(), b.getInt());
        }
    }

    private static final class Segment {
        final long id;
        final FileChannel channel;
        long size;

        Segment(long id, FileChannel channel) {
            this.id = id;
            this.channel = channel;
        }
    }

    private final RocksStore store;
    private final Path dir;
    private final long segmentBytes;

    // The commit thread's own state.
    private Segment active;
    private long nextSegment;
    private final List<Segment> unsynced = new ArrayList<>();
    private boolean directoryUnsynced;
    private final List<String> appendedThisBatch = new ArrayList<>();

    /**
     * Bodies appended and not read yet. The delivery that follows a commit within milliseconds
     * reads its body here instead of opening, reading and checking the file (4% of a 100 KB
     * relay's CPU). Taken on the first read, so a body is held only until its first delivery
     * attempt, as smtpd held it anyway; bounded, since a delivery can wait for a long time.
     */
    private final Map<String, List<byte[]>> unread = new ConcurrentHashMap<>();
    private final AtomicLong unreadBytes = new AtomicLong();
    static final long UNREAD_LIMIT = 16L << 20;

    // Shared with the threads that remove bodies; guarded by this.
    private final Map<String, Long> location = new HashMap<>();
    private final Map<Long, Integer> live = new HashMap<>();
    private long activeId = -1;

    BodyLog(RocksStore store, long segmentBytes) {
        this.store = store;
        this.dir = store.dir().resolve(DIRECTORY);
        this.segmentBytes = segmentBytes;
        if (!store.isReadOnly()) {
            recover();
            store.addBatchListener(this);
        }
    }

    /** The store's one body log, created (and recovered) on first use. */
    static BodyLog of(RocksStore store) {
        return store.attachment(BodyLog.class, s -> new BodyLog(s, DEFAULT_SEGMENT_BYTES));
    }

    /** Counts the references per segment and deletes the segments nobody references. */
    private void recover() {
        ColumnFamilyHandle refs = store.family(RocksStore.Family.BODYREFS);
        long highest = 0;
        try {
            Files.createDirectories(dir);
            try (RocksIterator it = store.db().newIterator(refs)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    String queueId = BodyKeys.queueId(it.key());
                    Ref ref;
                    try {
                        ref = Ref.decode(queueId, it.value());
                    } catch (IOException e) {
                        // that one body cannot be read (its delivery says so); the rest can
                        log.warn("warning: {}", e.getMessage());
                        continue;
                    }
                    location.put(queueId, ref.segment());
                    live.merge(ref.segment(), 1, Integer::sum);
                }
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    long id = segmentId(f);
                    if (id < 0) continue;
                    highest = Math.max(highest, id);
                    if (!live.containsKey(id)) Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open body log " + dir, e);
        }
        // never append to a segment of an earlier run: its tail may be torn
        nextSegment = highest + 1;
    }

    private static long segmentId(Path f) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".seg")) return -1;
        try {
            return Long.parseLong(name.substring(0, name.length() - 4));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A record's header: magic, queue id length, queue id, body length, body CRC32C. */
    private static int headerLength(int idLength) {
        return 4 + 2 + idLength + 4 + 4;
    }

    /** NNNNNNNN.seg, zero-padded like RocksDB's own file names (String.format was 2% of a 100 KB relay). */
    private Path path(long segment) {
        String n = Long.toString(segment);
        return dir.resolve("0".repeat(Math.max(0, 8 - n.length())) + n + ".seg");
    }

    /**
     * Appends one body; runs on the commit thread, inside the batch that will hold the returned
     * reference. {@code crc} is the CRC32C of the chunks, computed by the caller off this thread.
     */
    byte[] append(String queueId, List<byte[]> chunks, int length, int crc) throws IOException {
        Segment s = activeSegment();
        byte[] id = queueId.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer[] buffers = new ByteBuffer[chunks.size() + 1];
        buffers[0] = ByteBuffer.allocate(headerLength(id.length)).putInt(MAGIC).putShort((short) id.length).put(id)
                .putInt(length).putInt(crc).flip();
        for (int i = 0; i < chunks.size(); i++) {
            buffers[i + 1] = ByteBuffer.wrap(chunks.get(i));
        }
        long offset = s.size;
        try {
            long left = buffers[0].remaining() + (long) length;
            while (left > 0) {
                left -= s.channel.write(buffers);
            }
        } catch (IOException e) {
            s.size = segmentBytes; // a partial record stays behind, unreferenced: the next body starts a new segment
            throw e;
        }
        s.size = s.channel.position();
        Ref ref = new Ref(s.id, offset, length, crc);
        synchronized (this) {
            location.put(queueId, s.id);
            live.merge(s.id, 1, Integer::sum);
        }
        appendedThisBatch.add(queueId);
        if (unreadBytes.get() + length <= UNREAD_LIMIT && unread.putIfAbsent(queueId, chunks) == null) {
            unreadBytes.addAndGet(length);
        }
        return ref.encode();
    }

    private Segment activeSegment() throws IOException {
        if (active != null && active.size < segmentBytes) {
            return active;
        }
        long id = nextSegment++;
        FileChannel channel = FileChannel.open(path(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Segment previous = active;
        active = new Segment(id, channel);
        unsynced.add(active);
        directoryUnsynced = true;
        synchronized (this) {
            activeId = id;
            // whatever was removed from the previous segment while it was active
            if (previous != null && !live.containsKey(previous.id)) deleteSegment(previous.id);
        }
        return active;
    }

    /** Before the batch holding the references is synced: the bytes they point at go first. */
    @Override
    public void batchFilled(WriteBatch batch) {
        if (appendedThisBatch.isEmpty()) return;
        try {
            for (Segment s : unsynced) {
                s.channel.force(false);
            }
            if (directoryUnsynced) {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
                directoryUnsynced = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync body log " + dir, e);
        }
        for (Segment s : unsynced) {
            if (s != active) close(s.channel);
        }
        unsynced.clear();
        if (active != null) unsynced.add(active);
    }

    @Override
    public void batchEnded(boolean committed) {
        if (!committed) {
            // the references were never written: their records are garbage
            for (String queueId : appendedThisBatch) released(queueId);
        }
        appendedThisBatch.clear();
    }

    /** Whether this log holds {@code queueId}'s body (read-write stores only). */
    synchronized boolean contains(String queueId) {
        return location.containsKey(queueId);
    }

    /** The body as appended, if nobody has read it yet; null otherwise. The caller owns the arrays. */
    List<byte[]> takeUnread(String queueId) {
        List<byte[]> chunks = unread.remove(queueId);
        if (chunks != null) unreadBytes.addAndGet(-size(chunks));
        return chunks;
    }

    private static long size(List<byte[]> chunks) {
        long n = 0;
        for (byte[] c : chunks) n += c.length;
        return n;
    }

    /** {@code queueId}'s reference has been deleted: its segment may go. */
    synchronized void released(String queueId) {
        takeUnread(queueId);
        Long segment = location.remove(queueId);
        if (segment == null) return;
        int left = live.merge(segment, -1, Integer::sum);
        if (left > 0) return;
        live.remove(segment);
        if (segment != activeId) deleteSegment(segment);
    }

    /**
     * Unlinks a segment off the caller's thread, which may be the commit thread: unlinking 64 MB
     * takes milliseconds, and a crash before it happens only leaves a file start-up removes.
     */
    private void deleteSegment(long segment) {
        Path file = path(segment);
        ForkJoinPool.commonPool().execute(() -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("warning: cannot remove body log segment {}: {}", file, e.toString());
            }
        });
    }

    /**
     * The body a reference points at, checked against its queue id, length and CRC32C: a heap
     * buffer whose remaining bytes are the body.
     */
    ByteBuffer read(String queueId, byte[] value) throws IOException {
        Ref ref = Ref.decode(queueId, value);
        byte[] id = queueId.getBytes(StandardCharsets.US_ASCII);
        int headerLength = headerLength(id.length);
        ByteBuffer record = ByteBuffer.allocate(headerLength + ref.length());
        // opened per read: a queue of deferred mail may reference thousands of segments
        try (FileChannel channel = FileChannel.open(path(ref.segment()), StandardOpenOption.READ)) {
            long position = ref.offset();
            while (record.hasRemaining()) {
                int n = channel.read(record, position);
                if (n < 0) throw corrupt(queueId, ref, "segment ends inside the record");
                position += n;
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(queueId, null, "no message body (no " + path(ref.segment()) + ")");
        }
        record.flip();
        if (record.getInt() != MAGIC || record.getShort() != id.length
                || !record.slice(record.position(), id.length).equals(ByteBuffer.wrap(id))) {
            throw corrupt(queueId, ref, "record header does not match");
        }
        record.position(record.position() + id.length);
        if (record.getInt() != ref.length() || record.getInt() != ref.crc()) {
            throw corrupt(queueId, ref, "record length or checksum does not match the reference");
        }
        CRC32C crc = new CRC32C();
        crc.update(record.array(), headerLength, ref.length());
        if ((int) crc.getValue() != ref.crc()) {
            throw corrupt(queueId, ref, "checksum mismatch");
        }
        return record.position(headerLength);
    }

    private IOException corrupt(String queueId, Ref ref, String why) {
        return new IOException("body " + queueId + " is corrupt in " + path(ref.segment()) + " at offset "
                + ref.offset() + ": " + why);
    }

    /** CRC32C of a body's chunks, as {@link #append} wants it. */
    static int crc(List<byte[]> chunks) {
        CRC32C crc = new CRC32C();
        for (byte[] c : chunks) crc.update(c);
        return (int) crc.getValue();
    }

    private static void close(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing was written through it since its last sync
        }
    }

    /** The store is closing; its commit thread has stopped. */
    @Override
    public void close() {
        for (Segment s : unsynced) close(s.channel);
        if (active != null) close(active.channel);
    }
}
