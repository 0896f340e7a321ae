package org.smarthost.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.Counter;
import org.smarthost.persistence.TestEvent;
import org.smarthost.persistence.TestStores;
import org.smarthost.persistence.query.RocksReadJournal;
import org.smarthost.persistence.store.RocksStore;
import org.smarthost.persistence.store.StoreChange;

/** Many EventSourcedBehaviors writing at once through the one journal, then read back. */
class ConcurrentWritersTest {

    private static final int ACTORS = 40;
    private static final int EVENTS = 25;

    @TempDir
    Path dir;
    private ActorTestKit kit;

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
        }
    }

    @Test
    void manyPersistentActorsWriteConcurrentlyAndReplayExactly() throws Exception {
        kit = TestStores.testKit(dir);
        List<ActorRef<Counter.Command>> counters = new ArrayList<>();
        for (int a = 0; a < ACTORS; a++) {
            counters.add(kit.spawn(new Counter("message|Q" + a)));
        }
        TestProbe<Integer> replies = kit.createTestProbe();
        for (int e = 1; e <= EVENTS; e++) {
            for (ActorRef<Counter.Command> c : counters) {
                c.tell(new Counter.Add("e" + e, replies.ref()));
            }
        }
        List<Integer> acks = replies.receiveSeveralMessages(ACTORS * EVENTS, Duration.ofSeconds(60));
        assertEquals(ACTORS * EVENTS, acks.size());
        try (RocksStore store = RocksStore.acquire(dir)) {
            // informational: how many writes shared each fsync in this run
            System.out.printf("group commit: %d commit requests in %d synced batches%n",
                    store.syncedParts(), store.syncedBatches());
        }

        RocksReadJournal queries = PersistenceQuery.get(kit.system())
                .getReadJournalFor(RocksReadJournal.class, RocksReadJournal.IDENTIFIER);
        List<EventEnvelope> tagged = queries.currentEventsByTag("counter", Offset.noOffset())
                .runWith(Sink.seq(), kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(ACTORS * EVENTS, tagged.size());
        long previous = 0;
        Map<String, Long> lastSeq = new HashMap<>();
        for (EventEnvelope env : tagged) {
            long offset = ((Sequence) env.offset()).value();
            assertTrue(offset > previous, "offsets strictly increase");
            previous = offset;
            long expected = lastSeq.getOrDefault(env.persistenceId(), 0L) + 1;
            assertEquals(expected, env.sequenceNr(), "per-actor order within the tag stream");
            lastSeq.put(env.persistenceId(), env.sequenceNr());
            assertEquals(env.sequenceNr(), ((TestEvent) env.event()).number());
        }
        List<String> ids = queries.currentPersistenceIds().runWith(Sink.seq(), kit.system())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(ACTORS, new HashSet<>(ids).size());

        kit.shutdownTestKit();
        kit = TestStores.testKit(dir);
        TestProbe<List<String>> state = kit.createTestProbe();
        List<String> expected = new ArrayList<>();
        for (int e = 1; e <= EVENTS; e++) {
            expected.add("e" + e);
        }
        for (int a = 0; a < ACTORS; a += 7) {
            kit.spawn(new Counter("message|Q" + a)).tell(new Counter.Get(state.ref()));
            assertEquals(expected, state.receiveMessage(Duration.ofSeconds(10)));
        }
    }

    @Test
    void writesQueuedDuringOneFsyncShareTheNextBatch() throws Exception {
        try (RocksStore store = RocksStore.acquire(dir)) {
            long before = store.syncedBatches();
            long partsBefore = store.syncedParts();
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> first = store.commit(batch -> {
                holding.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // holds the commit thread like a slow fsync
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                batch.put(store.family(RocksStore.Family.SNAPSHOTS), new byte[] {1}, new byte[] {1});
                return StoreChange.NONE;
            });
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] key = {2, (byte) i};
                queued.add(store.commit(batch -> {
                    batch.put(store.family(RocksStore.Family.SNAPSHOTS), key, key);
                    return StoreChange.NONE;
                }));
            }
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertEquals(2, store.syncedBatches() - before, "ten queued writes, one synced batch");
            assertEquals(11, store.syncedParts() - partsBefore);
        }
    }
}
