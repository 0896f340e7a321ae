package org.smarthost.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.smarthost.persistence.Counter;
import org.smarthost.persistence.TestStores;
import org.smarthost.persistence.query.CurrentEventHeadersByTagQuery;
import org.smarthost.persistence.query.RocksReadJournal;
import org.smarthost.persistence.store.Bytes;
import org.smarthost.persistence.store.CorruptRecord;
import org.smarthost.persistence.store.RocksStore;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Garbage in the journal is reported and moved to the corrupt queue; recovery goes on. */
class CorruptRecordsTest {

    @TempDir
    Path dir;
    private ActorTestKit kit;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
        }
        ((Logger) LoggerFactory.getLogger("postfix/qmgr")).detachAppender(logged);
    }

    @Test
    void garbageBytesInTheJournalDoNotStopRecovery() throws Exception {
        persistThenStop("received", "attempted", "completed");

        // the server is down: damage event 2 and add a record with a malformed key
        try (RocksStore store = RocksStore.acquire(dir)) {
            long nid = damageEvent2(store, "\u0000garbage\u00ff not a PersistentRepr".getBytes(StandardCharsets.ISO_8859_1));
            store.db().put(store.family(RocksStore.Family.JOURNAL),
                    Bytes.concat(Bytes.ofLong(nid), new byte[] {9, 9, 9}), new byte[] {1, 2, 3});
        }

        logged.start();
        ((Logger) LoggerFactory.getLogger("postfix/qmgr")).addAppender(logged);
        kit = TestStores.testKit(dir);
        TestProbe<List<String>> state = kit.createTestProbe();
        kit.spawn(new Counter("message|4XyzABC")).tell(new Counter.Get(state.ref()));
        assertEquals(List.of("received", "completed"), state.receiveMessage(Duration.ofSeconds(10)),
                "recovery skips the unreadable event and replays the rest");

        RocksReadJournal queries = PersistenceQuery.get(kit.system())
                .getReadJournalFor(RocksReadJournal.class, RocksReadJournal.IDENTIFIER);
        List<EventEnvelope> tagged = queries.currentEventsByTag("counter", Offset.noOffset())
                .runWith(Sink.seq(), kit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of(1L, 3L), tagged.stream().map(EventEnvelope::sequenceNr).toList());

        // the corrupt queue lists both records with their original bytes
        try (RocksStore store = RocksStore.acquire(dir)) {
            List<CorruptRecord> corrupt = awaitCorrupt(store, 2);
            assertEquals(2, corrupt.size());
            assertTrue(corrupt.stream().allMatch(c -> c.source().equals("journal")));
            assertTrue(corrupt.stream().anyMatch(c -> c.name().equals("message|4XyzABC seq 2")
                    && new String(c.value(), StandardCharsets.ISO_8859_1).contains("garbage")));
            assertTrue(corrupt.stream().anyMatch(c -> c.reason().equals("malformed journal key")));
        }
        assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith(
                "warning: saving corrupt record \"message|4XyzABC seq 2\" from journal to queue \"corrupt\"")),
                "a Postfix-style warning is logged");

        // a second restart finds the journal clean: nothing new is reported
        int warnings = logged.list.size();
        kit.shutdownTestKit();
        kit = TestStores.testKit(dir);
        TestProbe<List<String>> again = kit.createTestProbe();
        kit.spawn(new Counter("message|4XyzABC")).tell(new Counter.Get(again.ref()));
        assertEquals(List.of("received", "completed"), again.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(warnings, logged.list.size());
    }

    @Test
    void aTagQueryNamesACorruptRecordAsReplayDoes() throws Exception {
        persistThenStop("received", "attempted");
        try (RocksStore store = RocksStore.acquire(dir)) {
            damageEvent2(store, new byte[] {0, 1, 2});
        }

        // no replay this time: the tag query is the first to read the damaged event
        kit = TestStores.testKit(dir);
        RocksReadJournal queries = PersistenceQuery.get(kit.system())
                .getReadJournalFor(RocksReadJournal.class, RocksReadJournal.IDENTIFIER);
        List<EventEnvelope> tagged = queries.currentEventsByTag("counter", Offset.noOffset())
                .runWith(Sink.seq(), kit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of(1L), tagged.stream().map(EventEnvelope::sequenceNr).toList());
        kit.shutdownTestKit();
        kit = null;
        try (RocksStore store = RocksStore.acquire(dir)) {
            List<CorruptRecord> corrupt = awaitCorrupt(store, 1);
            assertEquals(List.of("message|4XyzABC seq 2"), corrupt.stream().map(CorruptRecord::name).toList());
        }
    }

    @Test
    void aHeaderQueryNamesACorruptRecordAsTheEventQueryDoes() throws Exception {
        persistThenStop("received", "attempted", "completed");
        try (RocksStore store = RocksStore.acquire(dir)) {
            damageEvent2(store, new byte[] {0, 1, 2});
        }

        kit = TestStores.testKit(dir);
        RocksReadJournal queries = PersistenceQuery.get(kit.system())
                .getReadJournalFor(RocksReadJournal.class, RocksReadJournal.IDENTIFIER);
        List<CurrentEventHeadersByTagQuery.EventHeader> tagged = queries
                .currentEventHeadersByTag("counter", Offset.noOffset())
                .runWith(Sink.seq(), kit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of(1L, 3L), tagged.stream().map(CurrentEventHeadersByTagQuery.EventHeader::sequenceNr)
                .toList(), "the unreadable event is skipped, the rest read");
        kit.shutdownTestKit();
        kit = null;
        try (RocksStore store = RocksStore.acquire(dir)) {
            List<CorruptRecord> corrupt = awaitCorrupt(store, 1);
            assertEquals(List.of("message|4XyzABC seq 2"), corrupt.stream().map(CorruptRecord::name).toList());
        }
    }

    /** Persists these events of "message|4XyzABC" (sequence numbers 1, 2, ...), then stops the actor system. */
    private void persistThenStop(String... events) {
        kit = TestStores.testKit(dir);
        TestProbe<Integer> acks = kit.createTestProbe();
        ActorRef<Counter.Command> counter = kit.spawn(new Counter("message|4XyzABC"));
        for (String text : events) {
            counter.tell(new Counter.Add(text, acks.ref()));
            acks.receiveMessage(Duration.ofSeconds(10));
        }
        kit.shutdownTestKit();
        kit = null;
    }

    /** Overwrites event 2 of "message|4XyzABC" with {@code bytes}; returns its numeric id. */
    private static long damageEvent2(RocksStore store, byte[] bytes) throws Exception {
        long nid = JournalIndex.of(store).lookupNid("message|4XyzABC").orElseThrow();
        store.db().put(store.family(RocksStore.Family.JOURNAL), Bytes.longs(nid, 2), bytes);
        return nid;
    }

    private static List<CorruptRecord> awaitCorrupt(RocksStore store, int expected) throws InterruptedException {
        // moving aside is asynchronous (recovery does not wait for it)
        for (int i = 0; i < 100; i++) {
            List<CorruptRecord> list = store.corrupt().list();
            if (list.size() >= expected) {
                return list;
            }
            Thread.sleep(50);
        }
        return store.corrupt().list();
    }
}
