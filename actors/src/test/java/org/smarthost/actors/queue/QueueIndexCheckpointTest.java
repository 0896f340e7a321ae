package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.persistence.queue.QueueIndexCheckpointed;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.Transaction;

/**
 * The index checkpoint and the saved index on the real RocksDB journal, across restarts: each
 * start reads only the history after the checkpoint (or after the saved index), yet finds
 * exactly the messages still queued.
 */
class QueueIndexCheckpointTest {

    private final Path dir = tempDir();
    private ActorSystem<Void> system;
    private BodyStore bodies;

    @AfterEach
    void cleanUp() throws Exception {
        stop();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void restartsReadFromTheCheckpointAndKeepEveryQueuedMessage() throws Exception {
        QueueSystem queue = start();
        assertEquals(0L, checkpoint(queue), "a new journal has no checkpoint");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) ids.add(receive(queue, i));
        for (int i : new int[] {0, 1, 3}) assertTrue(get(queue.delete(ids.get(i))).applied());
        stop();

        queue = start();
        assertEquals(List.of(ids.get(2), ids.get(4)), queued(queue));
        long first = awaitCheckpoint(queue, 0);
        List<String> arrivals = arrivalsAfter(queue, first);
        assertEquals(ids.subList(2, 5), arrivals,
                "the checkpoint is just before the oldest queued message's arrival (the later ones follow)");
        assertTrue(get(queue.delete(ids.get(2))).applied());
        ids.add(receive(queue, 5));
        stop();

        queue = start();
        assertEquals(List.of(ids.get(4), ids.get(5)), queued(queue));
        long second = awaitCheckpoint(queue, first);
        assertEquals(List.of(ids.get(4), ids.get(5)), arrivalsAfter(queue, second));
        stop();

        // a start with nothing to move (the oldest queued message is still the same) keeps it
        queue = start();
        assertEquals(List.of(ids.get(4), ids.get(5)), queued(queue));
        assertEquals(second, checkpoint(queue));
        assertTrue(get(queue.delete(ids.get(4))).applied());
        assertTrue(get(queue.delete(ids.get(5))).applied());
        stop();

        queue = start();
        assertTrue(queued(queue).isEmpty());
        long empty = awaitCheckpoint(queue, second);
        assertTrue(arrivalsAfter(queue, empty).isEmpty(), "with an empty queue the checkpoint is the last event");
        String late = receive(queue, 6);
        stop();

        queue = start();
        assertEquals(List.of(late), queued(queue));
    }

    @Test
    void aSavedIndexIsReadAtStartWithTheEventsAfterIt() throws Exception {
        QueueSystem queue = start();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) ids.add(receive(queue, i));
        assertTrue(get(queue.delete(ids.get(0))).applied());
        assertTrue(get(queue.saveIndex()));
        stop();

        // Mark two saved entries, so the next index shows where each entry came from: the
        // file, or a read of the journal (which knows nothing of the marks).
        IndexSnapshotFile file = IndexSnapshotFile.in(store());
        IndexSnapshot saved = file.read().orElseThrow();
        assertEquals(List.of(ids.get(1), ids.get(2), ids.get(3)),
                saved.entries().stream().map(e -> e.entry().queueId()).sorted().toList());
        file.write(new IndexSnapshot(saved.policy(), saved.afterOffset(), saved.entries().stream()
                .map(e -> e.entry().queueId().equals(ids.get(1)) || e.entry().queueId().equals(ids.get(2))
                        ? new IndexSnapshot.Saved(marked(e.entry()), e.firstOffset()) : e)
                .toList(), saved.unresolved()));

        queue = start();
        assertEquals(Map.of(ids.get(1), "marked", ids.get(2), "marked", ids.get(3), "s3@example.com"), senders(queue),
                "the start took the saved index");
        // after the save: one message held, one deleted, one new; then a stop without a save
        assertTrue(get(queue.admin(ids.get(2), MessageActor.AdminAction.HOLD)).applied());
        assertTrue(get(queue.delete(ids.get(3))).applied());
        ids.add(receive(queue, 4));
        stop();

        queue = start();
        assertEquals(Map.of(ids.get(1), "marked", ids.get(2), "s2@example.com", ids.get(4), "s4@example.com"),
                senders(queue), "the saved index with the events after it; the held message's own history read");
        assertEquals(org.smarthost.persistence.queue.QueueName.HOLD, get(queue.lookup(ids.get(2))).orElseThrow().queue());
        stop();

        // a damaged file only costs the rebuild
        Files.writeString(file.path(), "not an index");
        queue = start();
        assertEquals(Map.of(ids.get(1), "s1@example.com", ids.get(2), "s2@example.com", ids.get(4), "s4@example.com"),
                senders(queue));
    }

    private static IndexEntry marked(IndexEntry e) {
        return new IndexEntry(e.queueId(), e.queue(), e.arrival(), e.size(), "marked", e.recipients(), e.reasons(),
                e.nextAttempt(), e.lastDeferred(), e.forcedExpire(), e.seqNr());
    }

    private static Map<String, String> senders(QueueSystem queue) throws Exception {
        Map<String, String> senders = new java.util.HashMap<>();
        get(queue.list()).forEach(e -> senders.put(e.queueId(), e.sender()));
        return senders;
    }

    @Test
    void aRunningServerMovesTheCheckpointOn() throws Exception {
        startSystem();
        QueueQueries queries = QueueQueries.of(system, QueueSettings.ROCKSDB_READ_JOURNAL);
        IndexSnapshotFile file = IndexSnapshotFile.in(store());
        ActorRef<QueueManager.Command> index = system.systemActorOf(QueueManager.create(queries,
                BackoffPolicy.POSTFIX_DEFAULTS, file, Clock.systemUTC(), Duration.ofMillis(100)), "qmgr", Props.empty());
        ActorRef<MessageRegion.Command> region = system.systemActorOf(
                MessageRegion.create(index, Clock.systemUTC(), Duration.ofMinutes(1)), "messages", Props.empty());
        List<String> ids = List.of("4jZd0A1B2CzJ9K1", "4jZd0A1B2CzJ9K2");
        for (String id : ids) {
            MessageReceived r = TestMessages.received(id, "s@example.org", "r@example.net");
            get(AskPattern.<MessageRegion.Command, Done>askWithStatus(region,
                    to -> new MessageRegion.Deliver(id, new MessageActor.Accept(r, to)), Duration.ofSeconds(30),
                    system.scheduler()));
        }
        delete(region, ids.get(0));
        long first = awaitCheckpoint(queries, 0);
        assertEquals(List.of(ids.get(1)), arrivalsAfter(queries, first), "no restart needed to move it");
        // with each move the index is saved too, so even a crash restarts from a recent one
        List<String> saved = List.of();
        for (int i = 0; i < 200 && !saved.equals(List.of(ids.get(1))); i++) {
            Thread.sleep(50);
            saved = file.read().map(s -> s.entries().stream().map(e -> e.entry().queueId()).toList()).orElse(List.of());
        }
        assertEquals(List.of(ids.get(1)), saved);

        delete(region, ids.get(1));
        long second = awaitCheckpoint(queries, first);
        assertTrue(arrivalsAfter(queries, second).isEmpty());
    }

    @Test
    void theCheckpointsOwnHistoryStaysShort() throws Exception {
        startSystem();
        QueueQueries queries = QueueQueries.of(system, QueueSettings.ROCKSDB_READ_JOURNAL);
        ActorRef<QueueIndexCheckpoint.Move> checkpoint =
                system.systemActorOf(QueueIndexCheckpoint.create(Clock.systemUTC()), "cp", Props.empty());
        for (long at = 1; at <= 25; at++) checkpoint.tell(new QueueIndexCheckpoint.Move(at));
        assertEquals(25, awaitCheckpoint(queries, 24));
        int kept = checkpointEvents(queries);
        for (int i = 0; i < 200 && kept == 25; i++) { // the delete follows the snapshot, a little later
            Thread.sleep(50);
            kept = checkpointEvents(queries);
        }
        assertTrue(kept < 25 && kept > 0, kept + " events kept");
        stop();

        // recovered from its snapshot and the events left: it still knows it is at 25
        startSystem();
        queries = QueueQueries.of(system, QueueSettings.ROCKSDB_READ_JOURNAL);
        checkpoint = system.systemActorOf(QueueIndexCheckpoint.create(Clock.systemUTC()), "cp", Props.empty());
        checkpoint.tell(new QueueIndexCheckpoint.Move(24));
        checkpoint.tell(new QueueIndexCheckpoint.Move(26));
        assertEquals(26, awaitCheckpoint(queries, 25));
        assertEquals(kept + 1, checkpointEvents(queries), "the move back to 24 was not persisted");
    }

    private int checkpointEvents(QueueQueries queries) throws Exception {
        return get(PersistenceQuery.get(system).getReadJournalFor(CurrentEventsByPersistenceIdQuery.class,
                        QueueSettings.ROCKSDB_READ_JOURNAL)
                .currentEventsByPersistenceId(QueueIndexCheckpointed.PERSISTENCE_ID, 0L, Long.MAX_VALUE)
                .runWith(Sink.seq(), system)).size();
    }

    private void delete(ActorRef<MessageRegion.Command> region, String id) throws Exception {
        MessageActor.AdminResult r = get(AskPattern.<MessageRegion.Command, MessageActor.AdminResult>ask(region,
                to -> new MessageRegion.Deliver(id, new MessageActor.Admin(MessageActor.AdminAction.DELETE, to)),
                Duration.ofSeconds(30), system.scheduler()));
        assertTrue(r.applied());
    }

    private void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "checkpoint", ConfigFactory.parseMap(Map.of(
                        "pekko.loglevel", "WARNING",
                        "pekko.persistence.journal.plugin", "smarthost.journal.rocksdb",
                        "pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb",
                        "smarthost.store.dir", store().toString()))
                .withFallback(ConfigFactory.load()));
    }

    /** Where QueueSettings.defaults says the journal is, as the server configures it. */
    private Path store() {
        return dir.resolve("db");
    }

    private QueueSystem start() throws Exception {
        startSystem();
        bodies = BodyStore.open(store());
        return QueueSystem.start(system, QueueSettings.defaults("mx.example", dir), bodies,
                QueueIdGenerator.forThisProcess(), Clock.systemUTC());
    }

    private void stop() throws Exception {
        if (system != null) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            system = null;
        }
        if (bodies != null) {
            bodies.close();
            bodies = null;
        }
    }

    private static String receive(QueueSystem queue, int i) throws Exception {
        SessionInfo session = new SessionInfo("localhost", new InetSocketAddress("127.0.0.1", 1025), "client.example",
                "ESMTP", null, "smtp", new InetSocketAddress("127.0.0.1", 25));
        Transaction t = queue.receiver().open(session, new MailFrom("s" + i + "@example.com", -1, null, null, null,
                false));
        t.addRecipient(new RcptTo("r" + i + "@example.net", Set.of(), null));
        t.write(Unpooled.copiedBuffer("Subject: " + i + "\r\n\r\nbody " + i + "\r\n", StandardCharsets.UTF_8));
        assertEquals(250, get(t.commit()).code());
        return t.queueId();
    }

    private static List<String> queued(QueueSystem queue) throws Exception {
        return get(queue.list()).stream().map(IndexEntry::queueId).toList();
    }

    private static long checkpoint(QueueSystem queue) throws Exception {
        return get(queue.queries().indexCheckpoint(queue.system()));
    }

    private long awaitCheckpoint(QueueSystem queue, long previous) throws Exception {
        return awaitCheckpoint(queue.queries(), previous);
    }

    /** The checkpoint is persisted after the rebuild or a background read, beside other work: wait for it to move. */
    private long awaitCheckpoint(QueueQueries queries, long previous) throws Exception {
        for (int i = 0; i < 200; i++) {
            long now = get(queries.indexCheckpoint(system));
            if (now > previous) return now;
            Thread.sleep(50);
        }
        throw new AssertionError("the index checkpoint stayed at " + previous);
    }

    /** Queue IDs whose MessageReceived a rebuild from {@code afterOffset} reads, in journal order. */
    private List<String> arrivalsAfter(QueueSystem queue, long afterOffset) throws Exception {
        return arrivalsAfter(queue.queries(), afterOffset);
    }

    private List<String> arrivalsAfter(QueueQueries queries, long afterOffset) throws Exception {
        List<EventEnvelope> events = get(queries.queueEventsAfter(afterOffset).runWith(Sink.seq(), system));
        return events.stream().filter(e -> e.event() instanceof MessageReceived)
                .map(e -> ((MessageReceived) e.event()).queueId()).toList();
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("index-checkpoint");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
