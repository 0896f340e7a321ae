package org.smarthost.persistence.query;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.PersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import org.smarthost.persistence.journal.EventLog;
import org.smarthost.persistence.journal.Page;
import org.smarthost.persistence.journal.TaggedEvent;
import org.smarthost.persistence.journal.TaggedHeader;
import org.smarthost.persistence.store.RocksStore;

/**
 * Read journal {@code smarthost.query.rocksdb} (Java DSL). Offsets are {@link Sequence}s: the
 * sequence number for queries by persistence id, the global tag offset (exclusive: pass the
 * last offset seen) for queries by tag. Live queries are woken by the journal's commits.
 *
 * <pre>
 * RocksReadJournal q = PersistenceQuery.get(system)
 *     .getReadJournalFor(RocksReadJournal.class, RocksReadJournal.IDENTIFIER);
 * </pre>
 */
public final class RocksReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
        CurrentEventsByPersistenceIdQuery, EventsByTagQuery, CurrentEventsByTagQuery, PersistenceIdsQuery,
        CurrentPersistenceIdsQuery, CurrentEventHeadersByTagQuery {

    public static final String IDENTIFIER = "smarthost.query.rocksdb";

    private final RocksStore store;
    private final EventLog log;
    private final Duration refreshInterval;
    private final int pageSize;

    RocksReadJournal(RocksStore store, EventLog log, Duration refreshInterval, int pageSize) {
        this.store = store;
        this.log = log;
        this.refreshInterval = refreshInterval;
        this.pageSize = pageSize;
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
            long toSequenceNr) {
        return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, true);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
            long toSequenceNr) {
        return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, false);
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
        return byTag(tag, offset, true);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
        return byTag(tag, offset, false);
    }

    @Override
    public Source<String, NotUsed> persistenceIds() {
        return ids(true);
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return ids(false);
    }

    private Source<EventEnvelope, NotUsed> byPersistenceId(String persistenceId, long from, long to, boolean live) {
        return Source.fromGraph(new LiveSource<>(store, () -> new PageReader<EventEnvelope>() {
            // a current query ends at what was there when it started
            private final long last = live ? to : Math.min(to, log.highestSequenceNr(persistenceId));
            private long next = Math.max(1L, from);

            @Override
            public List<EventEnvelope> next() {
                List<PersistentRepr> page = new java.util.ArrayList<>();
                log.replay(persistenceId, next, last, pageSize, page::add);
                if (!page.isEmpty()) {
                    next = page.get(page.size() - 1).sequenceNr() + 1;
                } else if (!live) {
                    next = last + 1; // only deleted or corrupt events left
                }
                return page.stream().map(r -> envelope(r.sequenceNr(), r)).collect(Collectors.toList());
            }

            @Override
            public boolean finished() {
                return next > last;
            }
        }, live, change -> change.persistenceIds().contains(persistenceId), refreshInterval));
    }

    @Override
    public Source<EventHeader, NotUsed> currentEventHeadersByTag(String tag, Offset offset) {
        return byTag(tag, offset, false, (after, max) -> {
            Page<TaggedHeader> page = log.headersByTag(tag, after, max);
            return new Page<>(page.items().stream().map(h -> new Tagged<>(h.offset(), new EventHeader(
                    Sequence.apply(h.offset()), h.persistenceId(), h.sequenceNr(), h.eventClass())))
                    .collect(Collectors.toList()), page.scannedTo());
        });
    }

    private Source<EventEnvelope, NotUsed> byTag(String tag, Offset offset, boolean live) {
        return byTag(tag, offset, live, (after, max) -> {
            Page<TaggedEvent> page = log.eventsByTag(tag, after, max);
            return new Page<>(page.items().stream().map(e -> new Tagged<>(e.offset(), envelope(e.offset(), e.repr())))
                    .collect(Collectors.toList()), page.scannedTo());
        });
    }

    /** An item of a tag query with its tag offset. */
    private record Tagged<T>(long offset, T item) { }

    /** One page of a tag query after an offset, at most so many items. */
    private interface TagPages<T> {
        Page<Tagged<T>> read(long afterOffset, int max);
    }

    private <T> Source<T, NotUsed> byTag(String tag, Offset offset, boolean live, TagPages<T> pages) {
        long start = startOffset(offset);
        return Source.fromGraph(new LiveSource<>(store, () -> new PageReader<T>() {
            private final long last = live ? Long.MAX_VALUE : log.lastOffset();
            private long after = start;

            @Override
            public List<T> next() {
                Page<Tagged<T>> page = pages.read(after, pageSize);
                after = page.scannedTo();
                return page.items().stream()
                        .filter(e -> e.offset() <= last)
                        .map(Tagged::item)
                        .collect(Collectors.toList());
            }

            @Override
            public boolean finished() {
                return after >= last;
            }
        }, live, change -> change.tags().contains(tag), refreshInterval));
    }

    private Source<String, NotUsed> ids(boolean live) {
        return Source.fromGraph(new LiveSource<>(store, () -> new PageReader<String>() {
            private long after = 0;

            @Override
            public List<String> next() {
                Page<String> page = log.persistenceIds(after, pageSize);
                after = page.scannedTo();
                return page.items();
            }
        }, live, change -> change.newPersistenceIds(), refreshInterval));
    }

    private static EventEnvelope envelope(long offset, PersistentRepr r) {
        return new EventEnvelope(Sequence.apply(offset), r.persistenceId(), r.sequenceNr(), r.payload(),
                r.timestamp(), r.metadata());
    }

    private static long startOffset(Offset offset) {
        if (offset == null || Offset.noOffset().equals(offset)) {
            return 0L;
        }
        if (offset instanceof Sequence s) {
            return s.value();
        }
        throw new IllegalArgumentException(
                "smarthost.query.rocksdb takes Sequence offsets or NoOffset, not " + offset.getClass().getName());
    }
}
