package org.smarthost.persistence.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.DeliveryAttempted.Outcome;
import org.smarthost.persistence.queue.DeliveryAttempted.RecipientOutcome;

class MessageStateTest {

    static final String ID = "4jZR1g3jdtzJ9Gy";
    static final Instant T0 = Instant.parse("2026-11-25T17:00:00Z");
    static final BackoffPolicy P = BackoffPolicy.POSTFIX_DEFAULTS;

    static MessageReceived received(String... rcpts) {
        List<EnvelopeRecipient> r = new ArrayList<>();
        for (String a : rcpts) r.add(new EnvelopeRecipient(a, Set.of("FAILURE"), null));
        return new MessageReceived(ID, T0, "alice@example.com", r, null, null, 433, "localhost",
                "127.0.0.1", 4711, "client.example", "ESMTP", null, ID, false, null, "<x@y>", "smtp", "127.0.0.1", 25, "local");
    }

    static DeliveryAttempted attempt(Instant at, int n, RecipientOutcome... outcomes) {
        return new DeliveryAttempted(ID, at, "smtp:[relay.example]", n, List.of(outcomes));
    }

    static RecipientOutcome out(String rcpt, Outcome o, String reply) {
        return new RecipientOutcome(rcpt, o, o == Outcome.DELIVERED ? "2.0.0" : "4.4.1", reply,
                "relay.example[192.0.2.1]:25", new DeliveryAttempted.Delays(0.1, 0, 0.2, 0.3));
    }

    @Test
    void receivedMessageIsActiveAndEligibleAtArrival() {
        MessageState s = MessageState.incoming(ID);
        assertEquals(QueueName.INCOMING, s.queue());
        s = s.apply(received("bob@example.net", "carol@example.org"));
        assertEquals(QueueName.ACTIVE, s.queue());
        assertEquals(T0, s.nextAttempt(P));
        assertEquals(List.of("bob@example.net", "carol@example.org"), s.pendingRecipients());
    }

    @Test
    void deferralKeepsReasonAndDeliveredRecipientsLeave() {
        MessageState s = MessageState.of(ID, List.of(received("bob@example.net", "carol@example.org"),
                attempt(T0.plusSeconds(1), 1,
                        out("bob@example.net", Outcome.DELIVERED, "250 ok"),
                        out("carol@example.org", Outcome.DEFERRED, "connect to x: Connection refused"))));
        assertEquals(QueueName.DEFERRED, s.queue());
        assertEquals(List.of("carol@example.org"), s.pendingRecipients());
        assertEquals("connect to x: Connection refused", s.reason("carol@example.org"));
        assertEquals(T0.plusSeconds(1 + 300), s.nextAttempt(P));
        assertEquals(1, s.attempts());
    }

    @Test
    void backoffDoublesFromMinimalToMaximal() {
        // Each attempt happens when the previous backoff ran out, as qmgr does.
        List<Long> intervals = new ArrayList<>();
        Instant now = T0;
        for (int i = 0; i < 8; i++) {
            Duration d = P.backoff(T0, now);
            intervals.add(d.toSeconds());
            now = now.plus(d);
        }
        assertEquals(List.of(300L, 300L, 600L, 1200L, 2400L, 4000L, 4000L, 4000L), intervals);
    }

    @Test
    void backoffIsClampedByCustomLimits() {
        BackoffPolicy p = new BackoffPolicy(Duration.ofSeconds(60), Duration.ofSeconds(100),
                Duration.ofDays(1), Duration.ofHours(2));
        assertEquals(Duration.ofSeconds(60), p.backoff(T0, T0.plusSeconds(10)));
        assertEquals(Duration.ofSeconds(70), p.backoff(T0, T0.plusSeconds(70)));
        assertEquals(Duration.ofSeconds(100), p.backoff(T0, T0.plusSeconds(5000)));
        assertEquals(T0.plus(Duration.ofHours(2)), p.expiresAt(T0, true));
        assertEquals(T0.plus(Duration.ofDays(1)), p.expiresAt(T0, false));
    }

    @Test
    void scheduleIsDerivedFromEventsAlone() {
        // The third deferral happens 900s after arrival: next interval is the age, 900s.
        MessageState s = MessageState.of(ID, List.of(received("bob@example.net"),
                attempt(T0, 1, out("bob@example.net", Outcome.DEFERRED, "a")),
                attempt(T0.plusSeconds(300), 2, out("bob@example.net", Outcome.DEFERRED, "b")),
                attempt(T0.plusSeconds(900), 3, out("bob@example.net", Outcome.DEFERRED, "c"))));
        assertEquals(T0.plusSeconds(1800), s.nextAttempt(P));
        assertEquals("c", s.reason("bob@example.net"));
    }

    @Test
    void holdReleaseRequeue() {
        MessageState s = MessageState.of(ID, List.of(received("bob@example.net"),
                attempt(T0, 1, out("bob@example.net", Outcome.DEFERRED, "a")),
                new MessageHeld(ID, T0.plusSeconds(5), null)));
        assertEquals(QueueName.HOLD, s.queue());
        assertEquals(QueueName.DEFERRED, s.heldFrom());
        assertNull(s.nextAttempt(P));
        assertEquals(s, s.apply(new MessageHeld(ID, T0.plusSeconds(6), null)), "holding twice changes nothing");

        MessageState released = s.apply(new MessageReleased(ID, T0.plusSeconds(10)));
        assertEquals(QueueName.DEFERRED, released.queue());
        assertEquals(T0.plusSeconds(10), released.nextAttempt(P));

        MessageState requeued = released.apply(new MessageRequeued(ID, T0.plusSeconds(20)));
        assertEquals(QueueName.ACTIVE, requeued.queue());
        assertEquals(T0.plusSeconds(20), requeued.nextAttempt(P));
        assertEquals("a", requeued.reason("bob@example.net"), "the last reason stays until the next attempt");
    }

    @Test
    void bouncedRecipientsStayUntilTheBounceIsQueued() {
        MessageState s = MessageState.of(ID, List.of(received("bob@example.net", "eve@example.org"),
                attempt(T0, 1, new RecipientOutcome("eve@example.org", Outcome.BOUNCED, "5.1.1",
                        "550 5.1.1 no such user", "relay", null),
                        out("bob@example.net", Outcome.DELIVERED, "250 ok"))));
        assertEquals(List.of("eve@example.org"), s.pendingRecipients());
        s = s.apply(new BounceQueued(ID, T0.plusSeconds(1), "4jZR1g3jdtzJ9Gz", List.of("eve@example.org")));
        assertTrue(s.pending().isEmpty());
        s = s.apply(new MessageCompleted(ID, T0.plusSeconds(2)));
        assertTrue(s.isDone());
        assertNull(s.nextAttempt(P));
    }

    @Test
    void deleteAndExpire() {
        MessageState s = MessageState.of(ID, List.of(received("bob@example.net"),
                new MessageHeld(ID, T0, "spam?"), new MessageExpired(ID, T0.plusSeconds(3))));
        assertTrue(s.forcedExpire());
        assertEquals(QueueName.HOLD, s.queue(), "expiring does not release (postsuper -f adds a release)");
        s = s.apply(new MessageReleased(ID, T0.plusSeconds(3)));
        assertEquals(QueueName.DEFERRED, s.queue());
        assertTrue(s.forcedExpire());
        s = s.apply(new MessageDeleted(ID, T0.plusSeconds(4)));
        assertTrue(s.isDone());
        assertTrue(s.deleted());
        assertEquals(s, s.apply(new MessageRequeued(ID, T0.plusSeconds(5))), "a deleted message stays deleted");
    }

    @Test
    void notifyFlagsAsPostcatPrintsThem() {
        assertEquals(6, new EnvelopeRecipient("a@b", Set.of("SUCCESS", "FAILURE"), null).notifyFlags());
        assertEquals(1, new EnvelopeRecipient("a@b", Set.of("NEVER"), null).notifyFlags());
        assertEquals(0, new EnvelopeRecipient("a@b", null, null).notifyFlags());
    }
}
