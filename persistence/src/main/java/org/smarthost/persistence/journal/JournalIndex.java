package org.smarthost.persistence.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.ReadTier;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.smarthost.persistence.store.BatchListener;
import org.smarthost.persistence.store.Bytes;
import org.smarthost.persistence.store.RocksStore;

/**
 * The {@code ids} column family: persistence-id ↔ numeric id (so journal keys are 16 fixed
 * bytes), the highest sequence number per id (kept when events are deleted, as Pekko requires),
 * and the global tag offset counter. One instance per store; allocation happens only on the
 * commit thread, and a new id reaches the read cache only once its batch is on disk.
 */
final class JournalIndex implements BatchListener {

    private static final byte PID = 'p';      // 'p' + pid        → nid
    private static final byte NID = 'n';      // 'n' + nid        → pid
    private static final byte HIGHEST = 'h';  // 'h' + nid        → highest sequence nr
    private static final byte[] LAST_NID = {'c', 'n'};
    private static final byte[] LAST_OFFSET = {'c', 'o'};
    /**
     * Enough for the messages in flight: a relayed message's events are written within a second
     * or so; a deferred one's next ones come minutes later, when one read of the ids family
     * costs nothing. It was 50,000: at 1,400 msgs/s an entry lived ~36 s, survived ~15 young
     * collections and was copied at each (8,192: ~6 s, still 3 or 4 copies); now it dies young.
     */
    private static final int CACHE_SIZE = 2_048;

    private final RocksStore store;
    private final ColumnFamilyHandle ids;
    private final Map<String, Long> cache = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CACHE_SIZE;
        }
    });

    /**
     * Memtables and block cache only: a read with these never waits for the disk. One for the
     * process (it holds no state), created after RocksStore has loaded the native library.
     */
    private static final ReadOptions WITHOUT_IO = new ReadOptions().setReadTier(ReadTier.BLOCK_CACHE_TIER);

    // commit-thread state
    private final Map<String, Long> pending = new HashMap<>();
    private long lastNid;
    private long lastOffset;
    // The counters go into a batch once, at its end (batchFilled): a batch is atomic, so only
    // its last value matters, and a put per event was over 40% of the ids family's writes.
    // Ids allocated in the batch are the ones in pending; offsets taken need a flag of their own.
    private boolean offsetTaken;

    JournalIndex(RocksStore store) {
        this.store = store;
        this.ids = store.family(RocksStore.Family.IDS);
        reloadCounters();
        store.addBatchListener(this);
    }

    static JournalIndex of(RocksStore store) {
        return store.attachment(JournalIndex.class, JournalIndex::new);
    }

    private void reloadCounters() {
        lastNid = readLong(LAST_NID);
        lastOffset = readLong(LAST_OFFSET);
    }

    /** Commit thread: the numeric id for a persistence id, allocating one in this batch if new. */
    long nidForWrite(String pid, WriteBatch batch, boolean[] allocated) throws RocksDBException {
        Long known = pending.get(pid);
        if (known == null) {
            OptionalLong stored = lookupNid(pid);
            if (stored.isPresent()) {
                return stored.getAsLong();
            }
            long nid = ++lastNid;
            byte[] pidBytes = pid.getBytes(StandardCharsets.UTF_8);
            batch.put(ids, pidKey(pid), Bytes.ofLong(nid));
            batch.put(ids, nidKey(NID, nid), pidBytes);
            pending.put(pid, nid);
            allocated[0] = true;
            return nid;
        }
        return known;
    }

    /** Commit thread: the next global tag offset (1, 2, 3, ...); stored with the batch. */
    long nextOffset() {
        offsetTaken = true;
        return ++lastOffset;
    }

    void putHighest(long nid, long sequenceNr, WriteBatch batch) throws RocksDBException {
        batch.put(ids, nidKey(HIGHEST, nid), Bytes.ofLong(sequenceNr));
    }

    @Override
    public void batchFilled(WriteBatch batch) throws RocksDBException {
        if (!pending.isEmpty()) {
            batch.put(ids, LAST_NID, Bytes.ofLong(lastNid));
        }
        if (offsetTaken) {
            batch.put(ids, LAST_OFFSET, Bytes.ofLong(lastOffset));
        }
    }

    @Override
    public void batchEnded(boolean committed) {
        offsetTaken = false;
        if (committed) {
            cache.putAll(pending);
        } else {
            // nothing of the batch reached the disk: forget its allocations
            reloadCounters();
        }
        pending.clear();
    }

    /** Any thread: the committed numeric id of a persistence id. */
    OptionalLong lookupNid(String pid) {
        Long cached = cache.get(pid);
        if (cached != null) {
            return OptionalLong.of(cached);
        }
        byte[] v = get(pidKey(pid));
        if (v == null) {
            return OptionalLong.empty();
        }
        long nid = Bytes.toLong(v, 0);
        cache.put(pid, nid);
        return OptionalLong.of(nid);
    }

    /** Any thread: the persistence id behind a committed numeric id. */
    Optional<String> persistenceId(long nid) {
        byte[] v = get(nidKey(NID, nid));
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    long highestSequenceNr(long nid) {
        byte[] v = get(nidKey(HIGHEST, nid));
        return v == null ? 0L : Bytes.toLong(v, 0);
    }

    /**
     * Any thread: the highest sequence number of {@code pid} if it can be read without disk I/O,
     * else empty. A recently written id always can. A new message's id nearly always can: queue
     * ids grow with time, so its lookup lands past every stored message id, in the one block at
     * the end of that range (or past a file's last key), which stays in the block cache.
     */
    OptionalLong highestSequenceNrWithoutIo(String pid) {
        try {
            Long nid = cache.get(pid);
            if (nid == null) {
                byte[] v = store.db().get(ids, WITHOUT_IO, pidKey(pid));
                if (v == null) return OptionalLong.of(0L);
                nid = Bytes.toLong(v, 0);
            }
            byte[] highest = store.db().get(ids, WITHOUT_IO, nidKey(HIGHEST, nid));
            return OptionalLong.of(highest == null ? 0L : Bytes.toLong(highest, 0));
        } catch (RocksDBException e) {
            if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Incomplete) {
                return OptionalLong.empty(); // it would have to read a block from disk
            }
            throw new RocksStore.StoreException("cannot read ids: " + e.getMessage(), e);
        }
    }

    long lastOffsetOnDisk() {
        return readLong(LAST_OFFSET);
    }

    static byte[] nidKey(byte kind, long nid) {
        return ByteBuffer.allocate(9).put(kind).putLong(nid).array();
    }

    static byte[] firstNidKey(long fromNid) {
        return nidKey(NID, fromNid);
    }

    static boolean isNidKey(byte[] key) {
        return key.length == 9 && key[0] == NID;
    }

    private static byte[] pidKey(String pid) {
        byte[] utf8 = pid.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + utf8.length).put(PID).put(utf8).array();
    }

    private long readLong(byte[] key) {
        byte[] v = get(key);
        return v == null ? 0L : Bytes.toLong(v, 0);
    }

    private byte[] get(byte[] key) {
        try {
            return store.db().get(ids, key);
        } catch (RocksDBException e) {
            throw new RocksStore.StoreException("cannot read ids: " + e.getMessage(), e);
        }
    }

    ColumnFamilyHandle family() {
        return ids;
    }
}
