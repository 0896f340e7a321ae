package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageDeleted;
import org.smarthost.persistence.queue.MessageHeld;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.MessageReleased;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueName;

class MessageActorTest {

    static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
            .withFallback(ConfigFactory.parseString("pekko.persistence.testkit.events.serialize = on"))
            .withFallback(ConfigFactory.load()));
    static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void clear() {
        journal.clearAll();
        journal.resetPolicy();
    }

    private ActorRef<QueueManager.Command> index() {
        return testKit.spawn(QueueManager.create(
                QueueQueries.of(testKit.system(), PersistenceTestKitReadJournal.Identifier()),
                BackoffPolicy.POSTFIX_DEFAULTS));
    }

    private ActorRef<MessageRegion.Command> region(ActorRef<QueueManager.Command> index, Duration idle) {
        return testKit.spawn(MessageRegion.create(index, Clock.systemUTC(), idle));
    }

    @Test
    void acceptRepliesOnlyAfterTheEventIsInTheJournal() {
        ActorRef<MessageRegion.Command> region = region(index(), Duration.ofMinutes(1));
        MessageReceived r = TestMessages.received("4jZR1g3jdtzJ9Gy", "alice@example.com", "bob@example.net");
        TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
        region.tell(new MessageRegion.Deliver(r.queueId(), new MessageActor.Accept(r, probe.getRef())));
        assertTrue(probe.receiveMessage().isSuccess());
        // the event (serialized through CBOR by the test journal) was stored before the reply
        journal.expectNextPersisted(QueueEvent.persistenceId(r.queueId()), r);

        // a retried Accept is acknowledged without a second event
        region.tell(new MessageRegion.Deliver(r.queueId(), new MessageActor.Accept(r, probe.getRef())));
        assertTrue(probe.receiveMessage().isSuccess());
        journal.expectNothingPersisted(QueueEvent.persistenceId(r.queueId()));
    }

    @Test
    void noReplyWhenTheJournalWriteFails() {
        ActorRef<MessageRegion.Command> region = region(index(), Duration.ofMinutes(1));
        MessageReceived r = TestMessages.received("4jZR1g3jdtzJ9Gz", "alice@example.com", "bob@example.net");
        journal.failNextPersisted(QueueEvent.persistenceId(r.queueId()));
        TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
        region.tell(new MessageRegion.Deliver(r.queueId(), new MessageActor.Accept(r, probe.getRef())));
        probe.expectNoMessage(Duration.ofMillis(300));
        assertTrue(journal.persistedInStorage(QueueEvent.persistenceId(r.queueId())).isEmpty());
    }

    @Test
    void holdReleaseDeleteFollowTheQueueState() {
        ActorRef<QueueManager.Command> index = index();
        ActorRef<MessageRegion.Command> region = region(index, Duration.ofMinutes(1));
        String id = "4jZR1g4C0kzJ9H9";
        accept(region, TestMessages.received(id, "", "x@example.net"));

        assertEquals(new MessageActor.AdminResult(id, true, QueueName.HOLD), admin(region, id, MessageActor.AdminAction.HOLD));
        assertEquals(new MessageActor.AdminResult(id, false, QueueName.HOLD), admin(region, id, MessageActor.AdminAction.HOLD));
        assertEquals(QueueName.HOLD, lookup(index, id).orElseThrow().queue());
        assertEquals(new MessageActor.AdminResult(id, true, QueueName.DEFERRED), admin(region, id, MessageActor.AdminAction.RELEASE));
        assertEquals(new MessageActor.AdminResult(id, false, QueueName.DEFERRED), admin(region, id, MessageActor.AdminAction.RELEASE));
        assertEquals(new MessageActor.AdminResult(id, true, QueueName.DONE), admin(region, id, MessageActor.AdminAction.DELETE));
        assertEquals(new MessageActor.AdminResult(id, false, QueueName.DONE), admin(region, id, MessageActor.AdminAction.DELETE));
        assertTrue(lookup(index, id).isEmpty());

        List<Object> events = journal.persistedInStorage(QueueEvent.persistenceId(id));
        assertEquals(4, events.size());
        assertTrue(events.get(1) instanceof MessageHeld);
        assertTrue(events.get(2) instanceof MessageReleased);
        assertTrue(events.get(3) instanceof MessageDeleted);

        // unknown messages are not created by admin commands
        assertEquals(new MessageActor.AdminResult("4jZR1g4C0kzJ9XX", false, QueueName.INCOMING),
                admin(region, "4jZR1g4C0kzJ9XX", MessageActor.AdminAction.DELETE));
    }

    @Test
    void deliveryEventsAreRecordedAndCompletionLeavesTheIndex() {
        ActorRef<QueueManager.Command> index = index();
        ActorRef<MessageRegion.Command> region = region(index, Duration.ofMinutes(1));
        String id = "4jZR1x4WRhzJ9KH";
        MessageReceived r = TestMessages.received(id, "s@example.com", "r1@example.net", "r2@example.org");
        accept(region, r);
        TestProbe<StatusReply<MessageState>> probe = testKit.createTestProbe();
        DeliveryAttempted attempt = new DeliveryAttempted(id, r.at().plusSeconds(1), "smtp:[127.0.0.1]:32599", 1,
                List.of(delivered("r1@example.net"), refused("r2@example.org")));
        region.tell(new MessageRegion.Deliver(id, new MessageActor.Record(attempt, probe.getRef())));
        MessageState s = probe.receiveMessage().getValue();
        assertEquals(QueueName.DEFERRED, s.queue());
        IndexEntry e = lookup(index, id).orElseThrow();
        assertEquals(QueueName.DEFERRED, e.queue());
        assertEquals(List.of("r2@example.org"), List.of(e.recipients()));
        assertEquals(r.at().plusSeconds(1 + 300).getEpochSecond(), e.nextAttempt());

        region.tell(new MessageRegion.Deliver(id, new MessageActor.Record(new MessageCompleted(id, r.at().plusSeconds(2)),
                probe.getRef())));
        assertTrue(probe.receiveMessage().getValue().isDone());
        assertTrue(lookup(index, id).isEmpty());
        region.tell(new MessageRegion.Deliver(id, new MessageActor.Record(new MessageCompleted(id, r.at()), probe.getRef())));
        assertTrue(probe.receiveMessage().isError(), "nothing is recorded for a finished message");
    }

    /** "postfix reload" with other backoff times: the schedule follows them, and so do later deferrals. */
    @Test
    void otherBackoffSettingsRescheduleDeferredMail() {
        ActorRef<QueueManager.Command> index = index();
        ActorRef<MessageRegion.Command> region = region(index, Duration.ofMinutes(1));
        String id = "4jZR1x4WRhzJ9KK";
        MessageReceived r = TestMessages.received(id, "s@example.com", "r2@example.org");
        accept(region, r);
        long arrival = r.at().getEpochSecond();
        TestProbe<StatusReply<MessageState>> probe = testKit.createTestProbe();
        region.tell(new MessageRegion.Deliver(id, new MessageActor.Record(new DeliveryAttempted(id,
                r.at().plusSeconds(1), "smtp:[127.0.0.1]:32599", 1, List.of(refused("r2@example.org"))),
                probe.getRef())));
        assertEquals(QueueName.DEFERRED, probe.receiveMessage().getValue().queue());
        assertEquals(arrival + 1 + 300, lookup(index, id).orElseThrow().nextAttempt());

        index.tell(new QueueManager.Reconfigure(new BackoffPolicy(Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofDays(5), Duration.ofDays(5))));
        assertEquals(arrival + 1 + 60, lookup(index, id).orElseThrow().nextAttempt(), "minimal_backoff_time 60s");
        TestProbe<List<IndexEntry>> taken = testKit.createTestProbe();
        index.tell(new QueueManager.Take(arrival + 60, 10, taken.getRef()));
        assertTrue(taken.receiveMessage().isEmpty(), "not due before its new time");
        index.tell(new QueueManager.Take(arrival + 61, 10, taken.getRef()));
        assertEquals(List.of(id), taken.receiveMessage().stream().map(IndexEntry::queueId).toList());

        // deferred again 100 s after arrival: backed off by its age, inside the new bounds
        region.tell(new MessageRegion.Deliver(id, new MessageActor.Record(new DeliveryAttempted(id,
                r.at().plusSeconds(100), "smtp:[127.0.0.1]:32599", 2, List.of(refused("r2@example.org"))),
                probe.getRef())));
        assertEquals(QueueName.DEFERRED, probe.receiveMessage().getValue().queue());
        assertEquals(arrival + 100 + 100, lookup(index, id).orElseThrow().nextAttempt());
    }

    @Test
    void aLastAttemptThatDeliversEverythingCompletesTheMessageInTheSameWrite() {
        ActorRef<QueueManager.Command> index = index();
        ActorRef<MessageRegion.Command> region = region(index, Duration.ofMinutes(1));
        String id = "4jZR1x4WRhzJ9KJ";
        MessageReceived r = TestMessages.received(id, "s@example.com", "r1@example.net", "r2@example.org");
        accept(region, r);
        TestProbe<StatusReply<MessageState>> probe = testKit.createTestProbe();

        // r2 deferred: RecordLast records the attempt only, the message stays queued
        DeliveryAttempted partly = new DeliveryAttempted(id, r.at().plusSeconds(1), "smtp:[127.0.0.1]:32599", 1,
                List.of(delivered("r1@example.net"), refused("r2@example.org")));
        region.tell(new MessageRegion.Deliver(id, new MessageActor.RecordLast(partly, r.at().plusSeconds(1),
                probe.getRef())));
        MessageState s = probe.receiveMessage().getValue();
        assertFalse(s.isDone());
        assertEquals(QueueName.DEFERRED, s.queue());
        assertEquals(List.of(r, partly), journal.persistedInStorage(QueueEvent.persistenceId(id)));

        // r2 delivered on the next attempt: attempt and completion are one atomic write
        DeliveryAttempted rest = new DeliveryAttempted(id, r.at().plusSeconds(400), "smtp:[127.0.0.1]:32599", 2,
                List.of(delivered("r2@example.org")));
        region.tell(new MessageRegion.Deliver(id, new MessageActor.RecordLast(rest, r.at().plusSeconds(401),
                probe.getRef())));
        assertTrue(probe.receiveMessage().getValue().isDone());
        assertEquals(List.of(r, partly, rest, new MessageCompleted(id, r.at().plusSeconds(401))),
                journal.persistedInStorage(QueueEvent.persistenceId(id)));
        probe.awaitAssert(() -> {
            assertTrue(lookup(index, id).isEmpty(), "a completed message leaves the index");
            return null;
        });
        TestProbe<Integer> count = testKit.createTestProbe();
        count.awaitAssert(() -> {
            region.tell(new MessageRegion.CountActive(count.getRef()));
            assertEquals(0, count.receiveMessage(), "a completed message does not wait for the idle timeout");
            return null;
        });
        region.tell(new MessageRegion.Deliver(id, new MessageActor.RecordLast(rest, r.at(), probe.getRef())));
        assertTrue(probe.receiveMessage().isError(), "nothing is recorded for a finished message");
    }

    /** Deferred: the destination refused the connection. */
    private static DeliveryAttempted.RecipientOutcome refused(String rcpt) {
        return new DeliveryAttempted.RecipientOutcome(rcpt, DeliveryAttempted.Outcome.DEFERRED, "4.4.1",
                "connect to 127.0.0.1[127.0.0.1]:32599: Connection refused", "none",
                new DeliveryAttempted.Delays(0.01, 0, 0.02, 0));
    }

    private static DeliveryAttempted.RecipientOutcome delivered(String rcpt) {
        return new DeliveryAttempted.RecipientOutcome(rcpt, DeliveryAttempted.Outcome.DELIVERED, "2.0.0",
                "250 2.0.0 Ok", "127.0.0.1[127.0.0.1]:32599", null);
    }

    @Test
    void idleMessagesArePassivatedAndRecoverTheirState() {
        ActorRef<QueueManager.Command> index = index();
        ActorRef<MessageRegion.Command> region = region(index, Duration.ofMillis(100));
        String id = "4jZR1g3yV8zJ9H5";
        accept(region, TestMessages.received(id, "carol@example.com", "d2@example.org"));
        admin(region, id, MessageActor.AdminAction.HOLD);
        TestProbe<Integer> count = testKit.createTestProbe();
        count.awaitAssert(() -> {
            region.tell(new MessageRegion.CountActive(count.getRef()));
            assertEquals(0, count.receiveMessage());
            return null;
        });
        TestProbe<MessageState> state = testKit.createTestProbe();
        region.tell(new MessageRegion.Deliver(id, new MessageActor.GetState(state.getRef())));
        MessageState s = state.receiveMessage();
        assertEquals(QueueName.HOLD, s.queue());
        assertEquals("carol@example.com", s.received().sender());
    }

    @Test
    void aMessageThatKeepsGettingCommandsIsNotPassivated() throws Exception {
        ActorRef<MessageRegion.Command> region = region(index(), Duration.ofMillis(300));
        String id = "4jZR1g3yV8zJ9H6";
        accept(region, TestMessages.received(id, "carol@example.com", "d3@example.org"));
        TestProbe<MessageState> state = testKit.createTestProbe();
        TestProbe<Integer> count = testKit.createTestProbe();
        for (int i = 0; i < 20; i++) { // 1 s of commands 50 ms apart, against a 300 ms idle timeout
            region.tell(new MessageRegion.Deliver(id, new MessageActor.GetState(state.getRef())));
            state.receiveMessage();
            region.tell(new MessageRegion.CountActive(count.getRef()));
            assertEquals(1, count.receiveMessage(), "passivated while busy, after " + i * 50 + " ms");
            Thread.sleep(50);
        }
        count.awaitAssert(Duration.ofSeconds(3), () -> {
            region.tell(new MessageRegion.CountActive(count.getRef()));
            assertEquals(0, count.receiveMessage(), "idle after the commands stopped");
            return null;
        });
    }

    @Test
    void aFreshIndexIsRebuiltFromTheJournalWithEachMessageOnce() {
        ActorRef<MessageRegion.Command> region = region(index(), Duration.ofMinutes(1));
        accept(region, TestMessages.received("4jZR2972dbzJ9LX", "", "n1@example.net"));
        accept(region, TestMessages.received("4jZR2j70gJzJ99S", "one@example.com", "o1@example.net"));
        admin(region, "4jZR2j70gJzJ99S", MessageActor.AdminAction.HOLD);
        accept(region, TestMessages.received("4jZR3H5CGpzJ9ST", "s@example.com", "u@a.example"));
        admin(region, "4jZR3H5CGpzJ9ST", MessageActor.AdminAction.DELETE);

        ActorRef<QueueManager.Command> rebuilt = index();
        TestProbe<List<IndexEntry>> probe = testKit.createTestProbe();
        rebuilt.tell(new QueueManager.ListQueue(probe.getRef()));
        List<IndexEntry> all = probe.receiveMessage();
        assertEquals(List.of("4jZR2972dbzJ9LX", "4jZR2j70gJzJ99S"), all.stream().map(IndexEntry::queueId).toList());
        assertEquals(QueueName.ACTIVE, all.get(0).queue());
        assertEquals(QueueName.HOLD, all.get(1).queue());
        assertFalse(all.stream().anyMatch(e -> e.queueId().equals("4jZR3H5CGpzJ9ST")));

        // only the active message is due; the held one never is
        TestProbe<List<IndexEntry>> due = testKit.createTestProbe();
        rebuilt.tell(new QueueManager.Due(Long.MAX_VALUE, 10, due.getRef()));
        assertEquals(List.of("4jZR2972dbzJ9LX"), due.receiveMessage().stream().map(IndexEntry::queueId).toList());
        rebuilt.tell(new QueueManager.Due(0, 10, due.getRef()));
        assertTrue(due.receiveMessage().isEmpty(), "nothing is due before its arrival");
    }

    private void accept(ActorRef<MessageRegion.Command> region, MessageReceived r) {
        TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
        region.tell(new MessageRegion.Deliver(r.queueId(), new MessageActor.Accept(r, probe.getRef())));
        assertTrue(probe.receiveMessage().isSuccess());
    }

    private MessageActor.AdminResult admin(ActorRef<MessageRegion.Command> region, String id, MessageActor.AdminAction a) {
        TestProbe<MessageActor.AdminResult> probe = testKit.createTestProbe();
        region.tell(new MessageRegion.Deliver(id, new MessageActor.Admin(a, probe.getRef())));
        return probe.receiveMessage();
    }

    private Optional<IndexEntry> lookup(ActorRef<QueueManager.Command> index, String id) {
        TestProbe<Optional<IndexEntry>> probe = testKit.createTestProbe();
        // the index is updated asynchronously after the reply; poll until it caught up
        TestProbe<Integer> ready = testKit.createTestProbe();
        index.tell(new QueueManager.AwaitReady(ready.getRef()));
        ready.receiveMessage();
        index.tell(new QueueManager.Lookup(id, probe.getRef()));
        return probe.receiveMessage();
    }
}
