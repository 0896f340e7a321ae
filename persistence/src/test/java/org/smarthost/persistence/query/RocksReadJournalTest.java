package org.smarthost.persistence.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smarthost.persistence.JournalProbe.atomic;
import static org.smarthost.persistence.JournalProbe.repr;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.JournalProbe;
import org.smarthost.persistence.TestEvent;
import org.smarthost.persistence.TestStores;

/**
 * Persistence Query over the real journal. The fallback refresh interval is 30s in these tests,
 * so a live query finishing within the 10s timeouts was woken by the journal's commit.
 */
class RocksReadJournalTest {

    @TempDir
    Path dir;
    private ActorTestKit kit;
    private JournalProbe journal;
    private RocksReadJournal queries;

    @BeforeEach
    void start() {
        kit = TestStores.testKit(dir);
        journal = new JournalProbe(kit);
        queries = PersistenceQuery.get(kit.system()).getReadJournalFor(RocksReadJournal.class,
                RocksReadJournal.IDENTIFIER);
    }

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private static Tagged tagged(Object payload, String... tags) {
        return new Tagged(payload, Set.of(tags));
    }

    private <T> List<T> run(Source<T, ?> source) throws Exception {
        return source.runWith(Sink.seq(), kit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private <T> CompletableFuture<List<T>> start(Source<T, ?> source) {
        return source.runWith(Sink.seq(), kit.system()).toCompletableFuture();
    }

    private static long offset(EventEnvelope e) {
        return ((Sequence) e.offset()).value();
    }

    @Test
    void currentEventsByTagHasGlobalOffsetsAndResumesAfterOne() throws Exception {
        journal.write(atomic(repr("message|A", 1, tagged(new TestEvent("a1", 1), "message")),
                repr("message|A", 2, tagged("a2", "message", "delivery"))));
        journal.write(atomic(repr("destination|smtp:x", 1, tagged("d1", "destination"))));
        journal.write(atomic(repr("message|B", 1, tagged("b1", "message")), repr("message|B", 2, "untagged")));

        List<EventEnvelope> messages = run(queries.currentEventsByTag("message", Offset.noOffset()));
        assertEquals(List.of(new TestEvent("a1", 1), "a2", "b1"), messages.stream().map(EventEnvelope::event).toList());
        assertEquals(List.of("message|A", "message|A", "message|B"),
                messages.stream().map(EventEnvelope::persistenceId).toList());
        // one offset sequence across all tags; a multi-tagged event takes one per tag in tag order:
        // "a2" is 2 (delivery) and 3 (message), "d1" is 4
        assertEquals(List.of(1L, 3L, 5L), messages.stream().map(RocksReadJournalTest::offset).toList());
        assertEquals(List.of(4L), run(queries.currentEventsByTag("destination", Offset.noOffset())).stream()
                .map(RocksReadJournalTest::offset).toList());

        assertEquals(List.of(2L), run(queries.currentEventsByTag("delivery", Offset.noOffset())).stream()
                .map(RocksReadJournalTest::offset).toList());
        List<EventEnvelope> resumed = run(queries.currentEventsByTag("message", Offset.sequence(3)));
        assertEquals(List.of("b1"), resumed.stream().map(EventEnvelope::event).toList());
        assertEquals(List.of(), run(queries.currentEventsByTag("nothing", Offset.noOffset())));
    }

    @Test
    void currentEventHeadersByTagTellWhoWroteWhatWhereWithoutTheEvents() throws Exception {
        journal.write(atomic(repr("message|A", 1, tagged(new TestEvent("a1", 1), "message")),
                repr("message|A", 2, tagged("a2", "message", "delivery"))));
        journal.write(atomic(repr("destination|smtp:x", 1, tagged("d1", "destination"))));
        journal.write(atomic(repr("message|B", 1, tagged(new TestEvent("b1", 2), "message")),
                repr("message|B", 2, "untagged")));

        List<EventEnvelope> events = run(queries.currentEventsByTag("message", Offset.noOffset()));
        List<CurrentEventHeadersByTagQuery.EventHeader> headers =
                run(queries.currentEventHeadersByTag("message", Offset.noOffset()));
        assertEquals(events.stream().map(e -> List.of(e.offset(), e.persistenceId(), e.sequenceNr(),
                        e.event().getClass().getName())).toList(),
                headers.stream().map(h -> List.of(h.offset(), h.persistenceId(), h.sequenceNr(), h.eventClass()))
                        .toList());
        // the Jackson payload's class comes from its manifest; a String's serializer has none
        assertEquals(List.of(TestEvent.class.getName(), String.class.getName(), TestEvent.class.getName()),
                headers.stream().map(CurrentEventHeadersByTagQuery.EventHeader::eventClass).toList());
        assertEquals(List.of(Sequence.apply(5)), run(queries.currentEventHeadersByTag("message", Offset.sequence(3)))
                .stream().map(CurrentEventHeadersByTagQuery.EventHeader::offset).toList());
        assertEquals(List.of(), run(queries.currentEventHeadersByTag("nothing", Offset.noOffset())));
    }

    @Test
    void offsetsAndIdsAllocatedInOneBatchContinueAfterARestart() throws Exception {
        // one call: three new persistence ids and four tag offsets in one group commit, whose
        // counters are stored once, at the end of the batch
        journal.write(atomic(repr("message|A", 1, tagged("a1", "message", "delivery"))),
                atomic(repr("message|B", 1, tagged("b1", "message"))),
                atomic(repr("message|C", 1, tagged("c1", "message"))));
        kit.shutdownTestKit();
        start();
        journal.write(atomic(repr("message|D", 1, tagged("d1", "message"))));

        List<EventEnvelope> messages = run(queries.currentEventsByTag("message", Offset.noOffset()));
        assertEquals(List.of("a1", "b1", "c1", "d1"), messages.stream().map(EventEnvelope::event).toList());
        assertEquals(List.of(2L, 3L, 4L, 5L), messages.stream().map(RocksReadJournalTest::offset).toList(),
                "the first offset after the restart follows the batch's last");
        // D got a numeric id of its own, not one of the batch's: each id replays only its events
        for (String id : List.of("A", "B", "C", "D")) {
            assertEquals(List.of(id.toLowerCase() + "1"), run(queries.currentEventsByPersistenceId("message|" + id, 0,
                    Long.MAX_VALUE)).stream().map(EventEnvelope::event).toList());
        }
    }

    @Test
    void liveEventsByTagReceivesNewEvents() throws Exception {
        journal.write(atomic(repr("message|A", 1, tagged("old", "message"))));
        CompletableFuture<List<EventEnvelope>> live = start(queries.eventsByTag("message", Offset.noOffset()).take(3));
        journal.write(atomic(repr("message|B", 1, tagged("new1", "message"))));
        journal.write(atomic(repr("message|C", 1, tagged("other", "destination"))));
        journal.write(atomic(repr("message|C", 2, tagged("new2", "message"))));
        List<EventEnvelope> got = live.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("old", "new1", "new2"), got.stream().map(EventEnvelope::event).toList());
    }

    @Test
    void eventsByPersistenceIdCurrentAndLive() throws Exception {
        journal.write(atomic(repr("message|A", 1, "r"), repr("message|A", 2, "a")));
        journal.write(atomic(repr("message|A", 3, "d")));
        List<EventEnvelope> current = run(queries.currentEventsByPersistenceId("message|A", 2, Long.MAX_VALUE));
        assertEquals(List.of("a", "d"), current.stream().map(EventEnvelope::event).toList());
        assertEquals(List.of(2L, 3L), current.stream().map(EventEnvelope::sequenceNr).toList());
        assertEquals(List.of("r", "a"), run(queries.currentEventsByPersistenceId("message|A", 0, 2)).stream()
                .map(EventEnvelope::event).toList());
        assertEquals(List.of(), run(queries.currentEventsByPersistenceId("message|none", 0, Long.MAX_VALUE)));

        // a live query bounded by toSequenceNr completes by itself once it got there
        CompletableFuture<List<EventEnvelope>> live = start(queries.eventsByPersistenceId("message|A", 3, 5));
        journal.write(atomic(repr("message|B", 1, "elsewhere")));
        journal.write(atomic(repr("message|A", 4, "e"), repr("message|A", 5, "f")));
        journal.write(atomic(repr("message|A", 6, "beyond")));
        assertEquals(List.of("d", "e", "f"), live.get(10, TimeUnit.SECONDS).stream().map(EventEnvelope::event).toList());
    }

    @Test
    void deletedEventsDisappearFromQueries() throws Exception {
        journal.write(atomic(repr("message|A", 1, tagged("1", "message")), repr("message|A", 2, tagged("2", "message"))));
        journal.deleteTo("message|A", 1);
        assertEquals(List.of("2"), run(queries.currentEventsByTag("message", Offset.noOffset())).stream()
                .map(EventEnvelope::event).toList());
        assertEquals(List.of(2L), run(queries.currentEventsByPersistenceId("message|A", 0, Long.MAX_VALUE)).stream()
                .map(EventEnvelope::sequenceNr).toList());
    }

    /** More entries than a page (100), most of the first ones deleted: pages fill across deletions. */
    @Test
    void aTagQueryPagesPastRunsOfDeletedEvents() throws Exception {
        for (int i = 1; i <= 150; i++) journal.write(atomic(repr("message|A", i, tagged("A" + i, "message"))));
        for (int i = 1; i <= 100; i++) journal.write(atomic(repr("message|B", i, tagged("B" + i, "message"))));
        journal.deleteTo("message|A", 120);
        List<EventEnvelope> events = run(queries.currentEventsByTag("message", Offset.noOffset()));
        List<Object> expected = new java.util.ArrayList<>();
        for (int i = 121; i <= 150; i++) expected.add("A" + i);
        for (int i = 1; i <= 100; i++) expected.add("B" + i);
        assertEquals(expected, events.stream().map(EventEnvelope::event).toList());
        for (int i = 1; i < events.size(); i++) {
            assertTrue(offset(events.get(i)) > offset(events.get(i - 1)), "offsets ascend at " + i);
        }
        // resuming after the last offset of the first page gives exactly the rest
        long after = offset(events.get(99));
        assertEquals(expected.subList(100, expected.size()),
                run(queries.currentEventsByTag("message", Offset.sequence(after))).stream()
                        .map(EventEnvelope::event).toList());
    }

    @Test
    void aReadOnlySystemQueriesWhileTheServerHoldsTheStore() throws Exception {
        journal.write(atomic(repr("message|A", 1, tagged(new TestEvent("r", 1), "message"))));
        ActorTestKit tool = ActorTestKit.create("tool", com.typesafe.config.ConfigFactory
                .parseString("smarthost.store.read-only = on").withFallback(TestStores.config(dir)));
        try {
            RocksReadJournal ro = PersistenceQuery.get(tool.system()).getReadJournalFor(RocksReadJournal.class,
                    RocksReadJournal.IDENTIFIER);
            List<EventEnvelope> events = ro.currentEventsByTag("message", Offset.noOffset())
                    .runWith(Sink.seq(), tool.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(new TestEvent("r", 1)), events.stream().map(EventEnvelope::event).toList());
        } finally {
            tool.shutdownTestKit();
        }
    }

    @Test
    void persistenceIdsCurrentAndLive() throws Exception {
        journal.write(atomic(repr("message|A", 1, "x")), atomic(repr("destination|smtp:[127.0.0.1]:25", 1, "y")));
        journal.write(atomic(repr("message|A", 2, "z")));
        assertEquals(List.of("message|A", "destination|smtp:[127.0.0.1]:25"), run(queries.currentPersistenceIds()));

        CompletableFuture<List<String>> live = start(queries.persistenceIds().take(3));
        journal.write(atomic(repr("message|A", 3, "again")));
        assertFalse(live.isDone());
        journal.write(atomic(repr("message|B", 1, "new")));
        assertEquals(List.of("message|A", "destination|smtp:[127.0.0.1]:25", "message|B"),
                live.get(10, TimeUnit.SECONDS));
    }
}
