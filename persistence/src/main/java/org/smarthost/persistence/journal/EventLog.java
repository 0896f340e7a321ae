package org.smarthost.persistence.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.smarthost.persistence.serialization.RecordCodec;
import org.smarthost.persistence.serialization.UnreadableRecordException;
import org.smarthost.persistence.store.Bytes;
import org.smarthost.persistence.store.RocksStore;
import org.smarthost.persistence.store.RocksStore.Family;
import org.smarthost.persistence.store.StoreChange;

import scala.jdk.javaapi.CollectionConverters;

/**
 * The event log on a {@link RocksStore}, without actors: what the journal plugin and the read
 * journal both use.
 *
 * <p>Layout: {@code journal} (nid, seqNr) → PersistentRepr bytes; {@code tags}
 * (tag, global offset) → (nid, seqNr), a pointer rather than a copy, so a deleted event
 * disappears from tag queries too (the dangling pointer is skipped).
 */
public final class EventLog {

    /** An AtomicWrite already serialized (on the caller's thread, so rejections are per write). */
    private record Prepared(String persistenceId, List<Encoded> events) {
    }

    private record Encoded(long sequenceNr, byte[] bytes, Set<String> tags) {
    }

    private final RocksStore store;
    private final RecordCodec codec;
    private final JournalIndex index;
    private final ColumnFamilyHandle journal;
    private final ColumnFamilyHandle tags;

    public EventLog(RocksStore store, RecordCodec codec) {
        this.store = store;
        this.codec = codec;
        this.index = JournalIndex.of(store);
        this.journal = store.family(Family.JOURNAL);
        this.tags = store.family(Family.TAGS);
    }

    /**
     * Writes all AtomicWrites in one synced WriteBatch (together with whatever else is queued for
     * the same group commit). Each result is empty on success or the serialization failure that
     * rejected that AtomicWrite; a failed disk write fails the whole future, as Pekko requires
     * when it is unknown what was stored.
     */
    public CompletableFuture<List<Optional<Exception>>> write(Iterable<AtomicWrite> writes) {
        List<Optional<Exception>> results = new ArrayList<>();
        List<Prepared> prepared = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (AtomicWrite write : writes) {
            try {
                List<Encoded> events = new ArrayList<>();
                for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
                    Object payload = repr.payload();
                    Set<String> eventTags = Set.of();
                    if (payload instanceof Tagged tagged) {
                        payload = tagged.payload();
                        // sorted, so offsets of a multi-tagged event are assigned reproducibly
                        eventTags = new java.util.TreeSet<>(CollectionConverters.asJava(tagged.tags()));
                    }
                    if (repr.persistenceId().isEmpty()) {
                        throw new IllegalArgumentException("empty persistenceId");
                    }
                    byte[] bytes = codec.encodeEvent(repr.withPayload(payload).withTimestamp(now));
                    events.add(new Encoded(repr.sequenceNr(), bytes, eventTags));
                }
                prepared.add(new Prepared(write.persistenceId(), events));
                results.add(Optional.empty());
            } catch (Exception e) {
                results.add(Optional.of(e));
            }
        }
        if (prepared.isEmpty()) {
            return CompletableFuture.completedFuture(results);
        }
        return store.commit(batch -> {
            Set<String> pids = new HashSet<>();
            Set<String> changedTags = new HashSet<>();
            boolean[] allocated = {false};
            for (Prepared p : prepared) {
                long nid = index.nidForWrite(p.persistenceId, batch, allocated);
                long highest = 0;
                for (Encoded e : p.events) {
                    batch.put(journal, Bytes.longs(nid, e.sequenceNr), e.bytes);
                    for (String tag : e.tags) {
                        batch.put(tags, tagKey(tag, index.nextOffset()), Bytes.longs(nid, e.sequenceNr));
                        changedTags.add(tag);
                    }
                    highest = Math.max(highest, e.sequenceNr);
                }
                index.putHighest(nid, highest, batch);
                pids.add(p.persistenceId);
            }
            return new StoreChange(pids, changedTags, allocated[0]);
        }).thenApply(ok -> results);
    }

    /** Replays events {@code from..to} (inclusive), at most {@code max}, in sequence order. */
    public void replay(String persistenceId, long from, long to, long max, Consumer<PersistentRepr> callback) {
        OptionalLong nid = index.lookupNid(persistenceId);
        if (nid.isEmpty() || max <= 0 || to < from) {
            return;
        }
        long count = 0;
        try (RocksIterator it = store.db().newIterator(journal)) {
            it.seek(Bytes.longs(nid.getAsLong(), Math.max(1L, from)));
            for (; it.isValid() && count < max; it.next()) {
                byte[] key = it.key();
                if (key.length < 8 || Bytes.toLong(key, 0) != nid.getAsLong()) {
                    break;
                }
                if (key.length != 16) {
                    moveAside(Family.JOURNAL, key, it.value(), persistenceId + " key " + Bytes.hex(key),
                            "malformed journal key");
                    continue;
                }
                long seq = Bytes.toLong(key, 8);
                if (seq > to) {
                    break;
                }
                PersistentRepr repr = decode(key, it.value(), persistenceId, seq);
                if (repr != null) {
                    callback.accept(repr);
                    count++;
                }
            }
        }
    }

    /** The highest sequence number ever written, also after its events were deleted. */
    public long highestSequenceNr(String persistenceId) {
        OptionalLong nid = index.lookupNid(persistenceId);
        return nid.isEmpty() ? 0L : index.highestSequenceNr(nid.getAsLong());
    }

    /** As {@link #highestSequenceNr}, when that needs no disk I/O; else empty. */
    public OptionalLong highestSequenceNrWithoutIo(String persistenceId) {
        return index.highestSequenceNrWithoutIo(persistenceId);
    }

    /** Deletes events up to and including {@code toSequenceNr}; the highest sequence number stays. */
    public CompletableFuture<Void> deleteTo(String persistenceId, long toSequenceNr) {
        OptionalLong nid = index.lookupNid(persistenceId);
        if (nid.isEmpty() || toSequenceNr < 1) {
            return CompletableFuture.completedFuture(null);
        }
        long upTo = Math.min(toSequenceNr, index.highestSequenceNr(nid.getAsLong()));
        if (upTo < 1) {
            return CompletableFuture.completedFuture(null);
        }
        return store.commit(batch -> {
            batch.deleteRange(journal, Bytes.longs(nid.getAsLong(), 0), Bytes.longs(nid.getAsLong(), upTo + 1));
            return StoreChange.NONE;
        });
    }

    /**
     * Events tagged {@code tag} with an offset greater than {@code afterOffset}. The events a run
     * of tag entries points to are fetched in one multi-get: the queue index's rebuild at start
     * reads every queued message's events this way, and one lookup per event was a quarter of it.
     */
    public Page<TaggedEvent> eventsByTag(String tag, long afterOffset, int max) {
        return byTag(tag, afterOffset, max, (offset, eventKey, bytes) -> {
            PersistentRepr repr = decode(eventKey, bytes, null, Bytes.toLong(eventKey, 8));
            return repr == null ? null : new TaggedEvent(offset, repr);
        });
    }

    /**
     * As {@link #eventsByTag}, with each event's header only (who wrote it, its class), for
     * readers that do not need the event itself.
     */
    public Page<TaggedHeader> headersByTag(String tag, long afterOffset, int max) {
        return byTag(tag, afterOffset, max, (offset, eventKey, bytes) -> {
            RecordCodec.EventHeader h = decode(eventKey, bytes, null, Bytes.toLong(eventKey, 8),
                    codec::decodeEventHeader, RecordCodec.EventHeader::persistenceId,
                    RecordCodec.EventHeader::sequenceNr);
            return h == null ? null : new TaggedHeader(offset, h.persistenceId(), h.sequenceNr(), h.eventClass());
        });
    }

    /** Reads one event a tag entry points to; null skips it (moved to the corrupt queue). */
    private interface TaggedReader<T> {
        T read(long offset, byte[] eventKey, byte[] bytes);
    }

    private <T> Page<T> byTag(String tag, long afterOffset, int max, TaggedReader<T> reader) {
        List<T> events = new ArrayList<>();
        long scanned = afterOffset;
        byte[] prefix = tagPrefix(tag);
        List<Long> offsets = new ArrayList<>();
        List<byte[]> pointers = new ArrayList<>();
        try (RocksIterator it = store.db().newIterator(tags)) {
            it.seek(tagKey(tag, afterOffset + 1));
            boolean endOfTag = false;
            while (!endOfTag && it.isValid() && events.size() < max) {
                // no more entries than events still wanted, so the page never overfills
                for (; it.isValid() && offsets.size() < max - events.size(); it.next()) {
                    byte[] key = it.key();
                    if (!Bytes.startsWith(key, prefix)) {
                        endOfTag = true;
                        break;
                    }
                    byte[] pointer = it.value();
                    if (key.length != prefix.length + 8 || pointer.length != 16) {
                        moveAside(Family.TAGS, key, pointer, "tag " + tag + " key " + Bytes.hex(key),
                                "malformed tag index entry");
                        continue;
                    }
                    offsets.add(Bytes.toLong(key, prefix.length));
                    pointers.add(pointer);
                }
                List<byte[]> found = offsets.isEmpty() ? List.of() : multiGet(journal, pointers);
                for (int i = 0; i < offsets.size(); i++) {
                    scanned = offsets.get(i);
                    byte[] bytes = found.get(i);
                    if (bytes == null) {
                        continue; // deleted, or moved to the corrupt queue
                    }
                    T event = reader.read(scanned, pointers.get(i), bytes);
                    if (event != null) {
                        events.add(event);
                    }
                }
                offsets.clear();
                pointers.clear();
            }
        }
        return new Page<>(events, scanned);
    }

    /** Persistence ids in the order they were first written, after numeric id {@code afterNid}. */
    public Page<String> persistenceIds(long afterNid, int max) {
        List<String> ids = new ArrayList<>();
        long scanned = afterNid;
        try (RocksIterator it = store.db().newIterator(index.family())) {
            it.seek(JournalIndex.firstNidKey(afterNid + 1));
            for (; it.isValid() && ids.size() < max; it.next()) {
                byte[] key = it.key();
                if (!JournalIndex.isNidKey(key)) {
                    break;
                }
                scanned = Bytes.toLong(key, 1);
                ids.add(new String(it.value(), StandardCharsets.UTF_8));
            }
        }
        return new Page<>(ids, scanned);
    }

    /** The highest tag offset committed so far (for "current" queries). */
    public long lastOffset() {
        return index.lastOffsetOnDisk();
    }

    private PersistentRepr decode(byte[] key, byte[] bytes, String expectedPid, long expectedSeq) {
        return decode(key, bytes, expectedPid, expectedSeq, codec::decodeEvent, PersistentRepr::persistenceId,
                PersistentRepr::sequenceNr);
    }

    /** Reads a stored event, whole or its header only. */
    private interface RecordDecoder<T> {
        T decode(byte[] bytes) throws UnreadableRecordException;
    }

    /**
     * The record under {@code key} decoded, or null when it is unreadable or says it is another
     * event than its key (a null {@code expectedPid}: any): then it is moved to the corrupt queue.
     */
    private <T> T decode(byte[] key, byte[] bytes, String expectedPid, long expectedSeq, RecordDecoder<T> decoder,
                         Function<T, String> persistenceId, ToLongFunction<T> sequenceNr) {
        try {
            T record = decoder.decode(bytes);
            String pid = persistenceId.apply(record);
            long seq = sequenceNr.applyAsLong(record);
            if ((expectedPid != null && !expectedPid.equals(pid)) || seq != expectedSeq) {
                moveAside(Family.JOURNAL, key, bytes, recordName(key, expectedPid, expectedSeq),
                        "record says " + pid + " seq " + seq);
                return null;
            }
            return record;
        } catch (UnreadableRecordException e) {
            moveAside(Family.JOURNAL, key, bytes, recordName(key, expectedPid, expectedSeq), e.getMessage());
            return null;
        }
    }

    /**
     * "message|4XyzABC seq 2", whether replay or a tag query found the record: both may find it
     * before the move aside is on disk, and the later move would otherwise rename it.
     */
    private String recordName(byte[] key, String expectedPid, long expectedSeq) {
        long nid = Bytes.toLong(key, 0);
        String pid = expectedPid != null ? expectedPid : index.persistenceId(nid).orElse("nid " + nid);
        return pid + " seq " + expectedSeq;
    }

    private void moveAside(Family family, byte[] key, byte[] value, String name, String reason) {
        store.corrupt().moveAside(family, key, value, name, reason);
    }

    private List<byte[]> multiGet(ColumnFamilyHandle cf, List<byte[]> keys) {
        try {
            return store.db().multiGetAsList(java.util.Collections.nCopies(keys.size(), cf), keys);
        } catch (RocksDBException e) {
            throw new RocksStore.StoreException("cannot read " + keys.size() + " events from " + Bytes.hex(keys.get(0))
                    + ": " + e.getMessage(), e);
        }
    }

    private static byte[] tagPrefix(String tag) {
        return Bytes.lengthPrefixed(tag, 0);
    }

    private static byte[] tagKey(String tag, long offset) {
        byte[] prefix = Bytes.lengthPrefixed(tag, 8);
        ByteBuffer.wrap(prefix).position(prefix.length - 8).putLong(offset);
        return prefix;
    }
}
