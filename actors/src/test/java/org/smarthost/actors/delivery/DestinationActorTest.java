package org.smarthost.actors.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.EnvelopeRecipient;

class DestinationActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create(
            PersistenceTestKitPlugin.getInstance().config().withFallback(ConfigFactory.load()));
    private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    private static final AtomicInteger seq = new AtomicInteger();
    private static final String REFUSED = "connect to mx.remote.test[127.0.0.2]:25: Connection refused";

    private String nexthop;
    private String pid;
    private ControlledAgent agent;
    private TestProbe<DeliveryFinished> replies;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        journal.clearAll();
        nexthop = "remote" + seq.incrementAndGet() + ".test";
        pid = DestinationActor.persistenceId("smtp", nexthop).id();
        agent = new ControlledAgent();
        replies = testKit.createTestProbe();
    }

    private ActorRef<DestinationActor.Command> spawn(DestinationSettings settings) {
        return testKit.spawn(DestinationActor.create("smtp", nexthop, settings, agent, Clock.systemUTC()));
    }

    private DeliveryJob job(int n) {
        Instant now = Instant.now();
        return new DeliveryJob("4Xq" + n, "smtp", nexthop, "sender@example.com",
                List.of(new EnvelopeRecipient("rcpt" + n + "@" + nexthop, Set.of(), null)),
                null, null, 1000, "7BIT", false, "body-" + n, now.minusSeconds(5), now.minusSeconds(1));
    }

    private DestinationStatus status(ActorRef<DestinationActor.Command> dest) {
        TestProbe<DestinationStatus> probe = testKit.createTestProbe();
        dest.tell(new DestinationActor.GetStatus(probe.getRef()));
        return probe.receiveMessage();
    }

    private List<DeliveryJob> submit(ActorRef<DestinationActor.Command> dest, int from, int count) {
        List<DeliveryJob> jobs = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            DeliveryJob j = job(i);
            jobs.add(j);
            dest.tell(new DestinationActor.Deliver(j, replies.getRef()));
        }
        return jobs;
    }

    private List<DeliveryJob> awaitStarts(int n) throws InterruptedException {
        List<DeliveryJob> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(agent.awaitStart());
        return out;
    }

    @Test
    void startsAtInitialConcurrencyAndSlowStartGrowsTheWindowUpToTheLimit() throws Exception {
        DestinationSettings settings = new DestinationSettings(5, 8, new Feedback(1, false), new Feedback(1, false),
                1, Duration.ZERO, Duration.ofSeconds(300), true);
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 20);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));
        DestinationStatus s = status(dest);
        assertEquals(5, s.window());
        assertEquals(5, s.busy(), "never more deliveries than the window");
        assertEquals(15, s.waiting());

        agent.succeed(running.remove(0));
        DeliveryFinished done = replies.receiveMessage();
        assertTrue(done.attempted());
        assertEquals(DeliveryAttempted.Outcome.DELIVERED, done.result().recipients().get(0).outcome());
        assertEquals(new DestinationEvent.ConcurrencyChanged(6, 0, 0, 0),
                journal.expectNextPersisted(pid, new DestinationEvent.ConcurrencyChanged(6, 0, 0, 0)));
        running.addAll(awaitStarts(2));           // 4 left busy, window 6: two more
        assertEquals(6, status(dest).busy());

        // Keep succeeding: the window climbs to the transport limit and stays there.
        for (int i = 0; i < 8; i++) {
            agent.succeed(running.remove(0));
            replies.receiveMessage();
            DeliveryJob next = agent.started.poll(2, java.util.concurrent.TimeUnit.SECONDS);
            if (next != null) running.add(next);
            while ((next = agent.started.poll()) != null) running.add(next);
        }
        DestinationStatus grown = status(dest);
        assertEquals(8, grown.window(), "capped at the destination concurrency limit");
        assertTrue(grown.busy() <= 8);
    }

    @Test
    void deliveriesBackToBackKeepTheirConnectionsAndALoneOneDoesNot() throws Exception {
        DestinationSettings settings = new DestinationSettings(1, 1, new Feedback(1, false), new Feedback(1, false),
                1, Duration.ZERO, Duration.ofSeconds(300), true);
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 2);
        DeliveryJob first = agent.awaitStart();
        assertEquals(false, agent.cacheConnection.get(first.jobId()), "nothing delivered before it");
        agent.succeed(first);
        replies.receiveMessage();
        // The second was waiting: it starts as the first ends, back to back.
        DeliveryJob second = agent.awaitStart();
        assertEquals(true, agent.cacheConnection.get(second.jobId()), "Postfix's on-demand connection caching");
        agent.succeed(second);
        replies.receiveMessage();
    }

    @Test
    void perConcurrencyFeedbackNeedsAWholeCohortOfSuccesses() throws Exception {
        DestinationSettings settings = new DestinationSettings(5, 20, Feedback.parse("p", "1/concurrency"),
                Feedback.parse("n", "1/concurrency"), 1, Duration.ZERO, Duration.ofSeconds(300), false);
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 10);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));
        for (int i = 0; i < 4; i++) {
            agent.succeed(running.remove(0));
            replies.receiveMessage();
        }
        assertEquals(5, status(dest).window(), "4 of a cohort of 5 do not move the window");
        agent.succeed(running.remove(0));
        replies.receiveMessage();
        List<DestinationEvent.ConcurrencyChanged> events =
                journal.receivePersisted(pid, 5, DestinationEvent.ConcurrencyChanged.class);
        assertEquals(6, events.get(4).window());
        assertEquals(6, status(dest).window());
    }

    @Test
    void destinationFailuresShrinkTheWindowThenDeclareTheDestinationDead() throws Exception {
        DestinationSettings settings = DestinationSettings.defaults();
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 8);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));

        agent.failSite(running.remove(0), REFUSED);
        DeliveryFinished first = replies.receiveMessage();
        assertEquals(DeliveryAttempted.Outcome.DEFERRED, first.result().recipients().get(0).outcome());
        assertEquals(REFUSED, first.result().recipients().get(0).reply());
        DestinationEvent.ConcurrencyChanged c1 = journal.expectNextPersistedClass(pid,
                DestinationEvent.ConcurrencyChanged.class);
        assertTrue(c1.window() < 5, "negative feedback takes effect at once: " + c1);
        assertEquals(0.2, c1.failCohorts(), 1e-9);

        agent.failSite(running.remove(0), REFUSED);
        replies.receiveMessage();
        DestinationEvent.ConcurrencyChanged c2 = journal.expectNextPersistedClass(pid,
                DestinationEvent.ConcurrencyChanged.class);
        assertTrue(c2.window() < c1.window());
        DestinationStatus shrunk = status(dest);
        assertEquals(3, shrunk.busy());
        assertEquals(3, shrunk.waiting(), "3 busy >= window " + c2.window() + ": nothing new starts");
        assertTrue(agent.started.isEmpty());

        // Keep failing until a whole pseudo-cohort failed: the destination is dead.
        DestinationEvent.DestinationDead dead = null;
        while (dead == null) {
            agent.failSite(running.remove(0), REFUSED);
            replies.receiveMessage();
            Object e = journal.expectNextPersistedClass(pid, DestinationEvent.class);
            if (e instanceof DestinationEvent.DestinationDead d) dead = d;
        }
        assertEquals("4.4.1", dead.dsnStatus());
        assertEquals(REFUSED, dead.reason());

        // The 3 waiting jobs are deferred without an attempt, and so is anything new.
        for (int i = 0; i < 3; i++) {
            DeliveryFinished f = replies.receiveMessage();
            assertFalse(f.attempted());
            RecipientDelivery r = f.result().recipients().get(0);
            assertEquals(DeliveryAttempted.Outcome.DEFERRED, r.outcome());
            assertEquals("delivery temporarily suspended: " + REFUSED, r.reply());
            assertEquals("none", r.relay());
        }
        dest.tell(new DestinationActor.Deliver(job(99), replies.getRef()));
        DeliveryFinished late = replies.receiveMessage();
        assertFalse(late.attempted());
        assertEquals("delivery temporarily suspended: " + REFUSED, late.result().recipients().get(0).reply());
        DestinationStatus s = status(dest);
        assertTrue(s.dead());
        assertEquals(0, s.window());
        assertEquals(0, s.waiting());
        assertTrue(agent.started.isEmpty(), "a dead destination gets no delivery attempts");
    }

    @Test
    void deadDestinationIsRetriedAfterTheDelayAndRecovers() throws Exception {
        DestinationSettings settings = DestinationSettings.defaults().withDeadRetryDelay(Duration.ofMillis(300));
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 5);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));
        while (!status(dest).dead()) {
            agent.failSite(running.remove(0), REFUSED);
            replies.receiveMessage();
        }
        int stillBusy = running.size();
        TestProbe<DestinationStatus> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertFalse(status(dest).dead());
            return null;
        });
        DestinationEvent.DestinationRecovered recovered = null;
        for (Object e : journal.receivePersisted(pid, journal.persistedInStorage(pid).size(), Object.class)) {
            if (e instanceof DestinationEvent.DestinationRecovered r) recovered = r;
        }
        assertNotNull(recovered);
        assertEquals(stillBusy > 0 ? stillBusy : 5, recovered.window(),
                "back from the grave: window = deliveries still in progress, else initial concurrency");

        submit(dest, 10, 1);
        agent.succeed(running.remove(0));        // a slot frees up: the new job goes out
        assertTrue(replies.receiveMessage().attempted());
        DeliveryJob retried = agent.awaitStart();
        agent.succeed(retried);
        assertTrue(replies.receiveMessage().attempted());
    }

    @Test
    void aSuccessInFlightRevivesADeadDestination() throws Exception {
        ActorRef<DestinationActor.Command> dest = spawn(DestinationSettings.defaults());
        submit(dest, 0, 5);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));
        while (!status(dest).dead()) {
            agent.failSite(running.remove(0), REFUSED);
            replies.receiveMessage();
        }
        agent.succeed(running.remove(0));
        replies.receiveMessage();
        assertFalse(status(dest).dead());
    }

    /** Kills the destination with connection failures; returns the jobs still in flight. */
    private List<DeliveryJob> killWithRefusals(ActorRef<DestinationActor.Command> dest) throws Exception {
        submit(dest, 0, 5);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));
        while (!status(dest).dead()) {
            agent.failSite(running.remove(0), REFUSED);
            replies.receiveMessage();
        }
        return running;
    }

    /** Kills the destination, then lets the deliveries still in flight fail too. */
    private void killWithRefusalsAndSettle(ActorRef<DestinationActor.Command> dest) throws Exception {
        for (DeliveryJob job : killWithRefusals(dest)) {
            agent.failSite(job, REFUSED);
            replies.receiveMessage();
        }
    }

    @Test
    void failuresStillInFlightWhenTheDestinationDiesLeaveItDead() throws Exception {
        ActorRef<DestinationActor.Command> dest = spawn(DestinationSettings.defaults());
        List<DeliveryJob> running = killWithRefusals(dest);
        assertFalse(running.isEmpty(), "the test needs deliveries in flight at the death");
        int events = journal.persistedInStorage(pid).size();
        while (!running.isEmpty()) {
            agent.failSite(running.remove(0), REFUSED);
            replies.receiveMessage();
            assertTrue(status(dest).dead(), "qmgr_queue_throttle() leaves a dead queue dead");
        }
        assertEquals(events, journal.persistedInStorage(pid).size(), "no feedback while dead");
    }

    @Test
    void aFlushRevivesADeadDestinationAtOnce() throws Exception {
        // minimal_backoff_time's default: without the flush it would stay dead for five minutes
        ActorRef<DestinationActor.Command> dest = spawn(DestinationSettings.defaults());
        killWithRefusalsAndSettle(dest);
        DestinationEvent.DestinationDead dead = null;
        for (Object e : journal.receivePersisted(pid, journal.persistedInStorage(pid).size(), Object.class)) {
            if (e instanceof DestinationEvent.DestinationDead d) dead = d;
        }
        assertNotNull(dead);
        assertNotNull(dead.since(), "the time of death is recorded for flushes that come later");

        dest.tell(new DestinationActor.Enable(dead.since().minusSeconds(1)));
        assertTrue(status(dest).dead(), "a flush from before the death does not revive it");

        dest.tell(new DestinationActor.Enable(Instant.now()));
        DestinationStatus revived = status(dest);
        assertFalse(revived.dead());
        assertEquals(5, revived.window(), "nothing in flight: initial concurrency");
        submit(dest, 10, 1);
        DeliveryJob attempted = agent.awaitStart();
        agent.succeed(attempted);
        assertTrue(replies.receiveMessage().attempted(), "the next job is delivered, not suspended");
    }

    @Test
    void aFlushReachesADeadDestinationRecreatedFromTheJournal() throws Exception {
        ActorRef<DestinationActor.Command> dest = spawn(DestinationSettings.defaults());
        killWithRefusalsAndSettle(dest);
        Instant flushed = Instant.now();
        TestProbe<Object> watcher = testKit.createTestProbe();
        dest.tell(new DestinationActor.Passivate());
        watcher.expectTerminated(dest);

        ActorRef<DestinationActor.Command> again = spawn(DestinationSettings.defaults());
        again.tell(new DestinationActor.Enable(flushed));      // as the scheduler does at spawn
        again.tell(new DestinationActor.Deliver(job(20), replies.getRef()));
        DeliveryJob attempted = agent.awaitStart();
        agent.succeed(attempted);
        assertTrue(replies.receiveMessage().attempted());
        assertFalse(status(again).dead());
    }

    @Test
    void aDeathRecordedWithoutItsTimeCountsAsBeforeAnyFlush() {
        DestinationState old = DestinationState.initial(5).apply(new DestinationEvent.DestinationDead(
                Instant.now().plusSeconds(300), "4.4.1", REFUSED, null));
        assertTrue(old.deadBefore(Instant.EPOCH));
        DestinationState now = DestinationState.initial(5).apply(new DestinationEvent.DestinationDead(
                Instant.now().plusSeconds(300), "4.4.1", REFUSED, Instant.now()));
        assertFalse(now.deadBefore(Instant.EPOCH));
        assertFalse(DestinationState.initial(5).deadBefore(Instant.now()), "alive: nothing to revive");
    }

    @Test
    void restartRestoresConcurrencyAndDeadStateFromEvents() throws Exception {
        DestinationSettings settings = DestinationSettings.defaults();
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 5);
        List<DeliveryJob> running = new ArrayList<>(awaitStarts(5));
        agent.succeed(running.remove(0));
        replies.receiveMessage();
        agent.succeed(running.remove(0));
        replies.receiveMessage();
        int window = status(dest).window();
        assertEquals(7, window);
        dest.tell(new DestinationActor.Passivate());
        assertEquals(3, status(dest).busy(), "busy destinations do not passivate");
        testKit.stop(dest);

        ControlledAgent before = agent;
        agent = new ControlledAgent();
        ActorRef<DestinationActor.Command> again = spawn(settings);
        DestinationStatus restored = status(again);
        assertEquals(window, restored.window());
        assertEquals(0, restored.busy(), "jobs are not persisted: the queue manager resubmits them");
        assertEquals(0, restored.waiting());

        // Kill it, restart, and it is still dead.
        submit(again, 20, 5);
        List<DeliveryJob> r2 = new ArrayList<>(awaitStarts(5));
        while (!status(again).dead()) {
            agent.failSite(r2.remove(0), REFUSED);
            replies.receiveMessage();
        }
        while (!r2.isEmpty()) {
            agent.failSite(r2.remove(0), REFUSED);     // in flight while dead: no more feedback
            replies.receiveMessage();
        }
        TestProbe<Object> watcher = testKit.createTestProbe();
        again.tell(new DestinationActor.Passivate());
        watcher.expectTerminated(again);
        ActorRef<DestinationActor.Command> third = spawn(settings);
        DestinationStatus deadAgain = status(third);
        assertTrue(deadAgain.dead());
        assertEquals(REFUSED, deadAgain.deadReason());
        third.tell(new DestinationActor.Deliver(job(50), replies.getRef()));
        assertFalse(replies.receiveMessage().attempted());
        assertTrue(before.started.isEmpty());
    }

    @Test
    void agentCrashDefersWithUnknownMailTransportErrorWithoutDestinationFeedback() throws Exception {
        ActorRef<DestinationActor.Command> dest = spawn(DestinationSettings.defaults());
        submit(dest, 0, 1);
        agent.crash(agent.awaitStart());
        DeliveryFinished f = replies.receiveMessage();
        RecipientDelivery r = f.result().recipients().get(0);
        assertEquals(DeliveryAttempted.Outcome.DEFERRED, r.outcome());
        assertEquals("4.3.0", r.dsnStatus());
        assertEquals("unknown mail transport error", r.reply());
        assertTrue(f.transportFailure(), "the queue manager throttles the transport");
        submit(dest, 1, 1);
        agent.succeed(agent.awaitStart());
        assertFalse(replies.receiveMessage().transportFailure());
        assertEquals(new DestinationEvent.ConcurrencyChanged(6, 0, 0, 0),
                journal.expectNextPersistedClass(pid, DestinationEvent.ConcurrencyChanged.class),
                "the crash itself was no feedback: the first event is the success's");
    }

    @Test
    void rateDelayAllowsOneDeliveryAtATime() throws Exception {
        DestinationSettings settings = new DestinationSettings(5, 20, new Feedback(1, false), new Feedback(1, false),
                1, Duration.ofMillis(200), Duration.ofSeconds(300), false);
        assertEquals(1, settings.concurrencyLimit(), "a rate delay forces concurrency 1");
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        submit(dest, 0, 3);
        DeliveryJob first = agent.awaitStart();
        assertEquals(1, status(dest).busy());
        assertEquals(2, status(dest).waiting());
        agent.succeed(first);
        replies.receiveMessage();
        DeliveryJob second = agent.awaitStart();
        assertEquals(1, status(dest).busy());
        assertTrue(agent.started.isEmpty());
        agent.succeed(second);
        replies.receiveMessage();
        agent.succeed(agent.awaitStart());
        replies.receiveMessage();
    }

    @Test
    void cancelDropsWaitingJobsOfAMessage() throws Exception {
        DestinationSettings settings = new DestinationSettings(1, 1, new Feedback(1, false), new Feedback(1, false),
                1, Duration.ZERO, Duration.ofSeconds(300), false);
        ActorRef<DestinationActor.Command> dest = spawn(settings);
        List<DeliveryJob> jobs = submit(dest, 0, 3);
        DeliveryJob running = agent.awaitStart();
        dest.tell(new DestinationActor.Cancel(jobs.get(1).queueId()));
        assertEquals(1, status(dest).waiting());
        agent.succeed(running);
        replies.receiveMessage();
        DeliveryJob next = agent.awaitStart();
        assertEquals(jobs.get(2).jobId(), next.jobId(), "the cancelled job was skipped");
    }

    @Test
    void finishedDeliveryBecomesADeliveryAttemptedEvent() {
        Instant arrival = Instant.parse("2026-01-01T00:00:00Z");
        DeliveryJob j = new DeliveryJob("4Xq1", "smtp", "remote.test", "s@example.com",
                List.of(new EnvelopeRecipient("a@remote.test", Set.of("FAILURE"), "rfc822;a@remote.test")),
                "HDRS", "ENV1", 10, null, false, "b", arrival, arrival.plusSeconds(2));
        DeliveryResult result = new DeliveryResult(List.of(new RecipientDelivery("a@remote.test",
                DeliveryAttempted.Outcome.BOUNCED, "5.1.1",
                "host mx.remote.test[127.0.0.2] said: 550 5.1.1 unknown (in reply to RCPT TO command)",
                "mx.remote.test[127.0.0.2]:25", "mx.remote.test", "550 5.1.1 unknown")), null,
                Duration.ofMillis(250), Duration.ofMillis(500));
        DeliveryAttempted event = new DeliveryFinished(j, result, true, false, arrival.plusSeconds(3),
                arrival.plusSeconds(4))
                .toDeliveryAttempted(1);
        assertEquals("smtp:remote.test", event.destination());
        assertEquals(arrival.plusSeconds(4), event.at());
        DeliveryAttempted.RecipientOutcome o = event.outcomes().get(0);
        assertEquals(DeliveryAttempted.Outcome.BOUNCED, o.outcome());
        assertEquals("5.1.1", o.dsnStatus());
        assertEquals(new DeliveryAttempted.Delays(2, 1, 0.25, 0.5), o.delays());
    }

    @Test
    void feedbackDebugNumbersPrintLikeCsPercentG() {
        assertEquals("0", DestinationActor.g(0));
        assertEquals("1", DestinationActor.g(1));
        assertEquals("0.2", DestinationActor.g(0.2));
        assertEquals("0.333333", DestinationActor.g(1.0 / 3));
    }
}
