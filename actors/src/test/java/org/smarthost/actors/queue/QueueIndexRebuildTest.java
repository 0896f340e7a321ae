package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageHeld;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueName;

/**
 * The start-up rebuild of the queue index from the journal (QueueManager.fold and .index): the
 * compact fold must give exactly the entries a fold of full MessageStates gives, keep nothing
 * but a sequence number for finished messages, and never bring a finished message back.
 */
class QueueIndexRebuildTest {

    private static final BackoffPolicy POLICY = BackoffPolicy.POSTFIX_DEFAULTS;
    private static final Instant T = Instant.parse("2026-11-25T17:08:00Z");
    private long offset;

    @Test
    void deferredMessageGivesTheSameEntryAsTheFullState() {
        var deferred = List.<QueueEvent>of(
                TestMessages.received("4A1", "alice@example.org", "a@example.net", "b@example.net"),
                attempt("4A1", 1, "a@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
                attempt("4A1", 2, "b@example.net", DeliveryAttempted.Outcome.DEFERRED,
                        "connect to relay[127.0.0.1]:9: Connection refused"));
        Map<String, IndexEntry> index = rebuild(deferred, new HashMap<>());

        IndexEntry expected = IndexEntry.of(MessageState.of("4A1", deferred), 3, POLICY);
        IndexEntry got = index.get("4A1");
        assertEquals(QueueName.DEFERRED, got.queue());
        assertEquals(expected.arrival(), got.arrival());
        assertEquals(expected.size(), got.size());
        assertEquals("alice@example.org", got.sender());
        assertArrayEquals(new String[] {"b@example.net"}, got.recipients());
        assertArrayEquals(expected.reasons(), got.reasons());
        assertEquals(expected.nextAttempt(), got.nextAttempt());
        assertTrue(got.nextAttempt() > T.getEpochSecond(), "deferred: next attempt after the failure");
        assertEquals(3, got.seqNr());
    }

    @Test
    void heldAndActiveMessagesKeepTheirQueue() {
        var events = List.<QueueEvent>of(
                TestMessages.received("4B1", "s@example.org", "r@example.net"),
                TestMessages.received("4B2", "s@example.org", "r@example.net"),
                new MessageHeld("4B2", T, "postsuper -h"));
        Map<String, IndexEntry> index = rebuild(events, new HashMap<>());
        assertEquals(QueueName.ACTIVE, index.get("4B1").queue());
        assertEquals(QueueName.HOLD, index.get("4B2").queue());
        assertEquals(-1, index.get("4B2").nextAttempt());
    }

    @Test
    void finishedMessagesLeaveOnlyTheirSequenceNumber() {
        Map<String, Long> recentlyDone = new HashMap<>();
        var events = List.<QueueEvent>of(
                TestMessages.received("4C1", "s@example.org", "r@example.net"),
                TestMessages.received("4C2", "s@example.org", "r@example.net"),
                attempt("4C1", 1, "r@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
                new MessageCompleted("4C1", T),
                // a late event of a finished message must not bring it back
                new MessageHeld("4C1", T, "postsuper -h"));
        HashMap<String, QueueManager.Folded> folded = fold(events);
        assertNull(folded.get("4C1").state(), "a finished message keeps no state during the rebuild");
        assertEquals(4, folded.get("4C1").seqNr());

        Map<String, IndexEntry> index = QueueManager.index(folded, POLICY, recentlyDone);
        assertFalse(index.containsKey("4C1"));
        assertEquals(4L, recentlyDone.get("4C1"));
        assertTrue(index.containsKey("4C2"));
        assertTrue(folded.isEmpty(), "the folded journal is released while the index is built");
    }

    @Test
    void theFoldKeepsNoEnvelopeBeyondWhatTheIndexNeeds() {
        HashMap<String, QueueManager.Folded> folded =
                fold(List.of(TestMessages.received("4D1", "s@example.org", "r1@example.net", "r2@example.net")));
        MessageState s = folded.get("4D1").state();
        assertTrue(s.received().recipients().isEmpty(), "recipients live in the state's pending map");
        assertNull(s.received().clientAddress());
        assertNull(s.received().bodyKey());
        assertEquals(List.of("r1@example.net", "r2@example.net"), s.pendingRecipients());
    }

    private Map<String, IndexEntry> rebuild(List<QueueEvent> events, Map<String, Long> recentlyDone) {
        return QueueManager.index(fold(events), POLICY, recentlyDone);
    }

    private HashMap<String, QueueManager.Folded> fold(List<QueueEvent> events) {
        Map<String, Long> seq = new HashMap<>();
        HashMap<String, QueueManager.Folded> acc = new HashMap<>();
        for (QueueEvent e : events) {
            long nr = seq.merge(e.queueId(), 1L, Long::sum);
            acc = QueueManager.fold(acc, EventEnvelope.apply(Offset.sequence(++offset),
                    QueueEvent.persistenceId(e.queueId()), nr, e, 0L));
        }
        return acc;
    }

    private static DeliveryAttempted attempt(String id, int n, String rcpt, DeliveryAttempted.Outcome outcome,
                                             String reply) {
        return new DeliveryAttempted(id, T, "smtp:[relay]", n, List.of(new DeliveryAttempted.RecipientOutcome(
                rcpt, outcome, outcome == DeliveryAttempted.Outcome.DELIVERED ? "2.0.0" : "4.4.1", reply,
                "relay[127.0.0.1]:9", null)));
    }
}
