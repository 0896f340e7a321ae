package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.smarthost.actors.queue.TestMessages.attempt;
import static org.smarthost.actors.queue.TestMessages.readJournal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        HashMap<String, QueueManager.Folded> folded = fold(events).messages;
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
                fold(List.of(TestMessages.received("4D1", "s@example.org", "r1@example.net", "r2@example.net"))).messages;
        MessageState s = folded.get("4D1").state();
        assertTrue(s.received().recipients().isEmpty(), "recipients live in the state's pending map");
        assertNull(s.received().clientAddress());
        assertNull(s.received().bodyKey());
        assertEquals(List.of("r1@example.net", "r2@example.net"), s.pendingRecipients());
    }

    /** Offsets 1..6: 4E1 and 4E2 arrive, 4E1 is delivered, 4E3 comes and goes; 4E2 stays queued. */
    private static final List<QueueEvent> HISTORY = List.of(
            TestMessages.received("4E1", "s@example.org", "r@example.net"),
            TestMessages.received("4E2", "s@example.org", "r@example.net"),
            attempt("4E1", 1, "r@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
            new MessageCompleted("4E1", T),
            TestMessages.received("4E3", "s@example.org", "r@example.net"),
            new MessageCompleted("4E3", T));

    @Test
    void theCheckpointIsJustBeforeTheOldestMessageStillQueued() {
        QueueManager.Rebuild journal = readJournal(HISTORY, 0);
        assertEquals(6, journal.lastOffset);
        assertEquals(1, checkpoint(journal), "4E2 arrived at offset 2");
        assertTrue(journal.cutShort().isEmpty());
    }

    @Test
    void withNothingQueuedTheCheckpointIsTheLastEventRead() {
        QueueManager.Rebuild journal = readJournal(List.of(HISTORY.get(0), HISTORY.get(2), HISTORY.get(3)), 0);
        assertEquals(3, checkpoint(journal));
    }

    @Test
    void aRebuildFromTheCheckpointFindsTheSameQueue() {
        Map<String, IndexEntry> whole = QueueManager.index(readJournal(HISTORY, 0).messages, POLICY, new HashMap<>());
        QueueManager.Rebuild fromCheckpoint = readJournal(HISTORY, 1);
        // 4E1's delivery and completion come after the checkpoint without its arrival: it is done
        assertTrue(fromCheckpoint.messages.get("4E1").isDone());
        assertTrue(fromCheckpoint.cutShort().isEmpty());
        assertEquals(1, checkpoint(fromCheckpoint), "the checkpoint does not move while 4E2 is queued");
        Map<String, IndexEntry> index = QueueManager.index(fromCheckpoint.messages, POLICY, new HashMap<>());
        assertEquals(whole.keySet(), index.keySet());
        assertEquals(whole.get("4E2").seqNr(), index.get("4E2").seqNr());
        assertEquals(whole.get("4E2").queue(), index.get("4E2").queue());
    }

    @Test
    void aQueuedMessageWhoseArrivalIsBeforeTheCheckpointIsReported() {
        var events = new java.util.ArrayList<>(HISTORY);
        events.add(attempt("4E2", 1, "r@example.net", DeliveryAttempted.Outcome.DEFERRED, "451 try later"));
        // a checkpoint past 4E2's arrival (which a correct rebuild never writes) must not lose 4E2
        assertEquals(Optional.of("4E2"), readJournal(events, 2).cutShort());
        // in a read of the whole journal such a message is only an orphan: nothing was cut
        var orphan = readJournal(events.subList(2, events.size()), 0);
        assertTrue(orphan.messages.get("4E2").isPartial());
        assertTrue(orphan.cutShort().isEmpty());
        assertEquals(orphan.lastOffset, checkpoint(orphan), "an orphan does not hold the checkpoint back");
    }

    @Test
    void backgroundReadsOfOnlyTheNewEventsMoveTheCheckpointAsAWholeReadWould() {
        var events = new java.util.ArrayList<>(HISTORY);
        events.add(new MessageCompleted("4E2", T));
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(readJournal(events.subList(0, 2), 0));   // 4E1 and 4E2 arrive
        assertEquals(0, tracker.checkpoint(), "4E1 arrived at offset 1");
        tracker.absorb(readJournal(events.subList(0, 6), tracker.readUpTo()));   // 4E1 and 4E3 done
        assertEquals(6, tracker.readUpTo());
        assertEquals(1, tracker.checkpoint(), "4E2, whose arrival an earlier read saw, still holds it");
        assertEquals(checkpoint(readJournal(events.subList(0, 6), 0)), tracker.checkpoint());
        tracker.absorb(readJournal(events, tracker.readUpTo()));   // 4E2 done at offset 7
        assertEquals(7, tracker.checkpoint());
    }

    @Test
    void aReadKeepsItsQueuedMessagesUnderTheIndexsOwnQueueIdStrings() {
        String indexes = new String("4E2"); // not the instance the read decoded
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(readJournal(HISTORY, 0), id -> id.equals("4E2") ? indexes : id);
        assertEquals(1, tracker.queued());
        tracker.forEachQueued((id, first) -> org.junit.jupiter.api.Assertions.assertSame(indexes, id));
    }

    @Test
    void noCheckpointWithoutSequenceOffsets() {
        QueueManager.Rebuild journal = new QueueManager.Rebuild(0);
        QueueEvent e = HISTORY.get(1);
        QueueManager.fold(journal, EventEnvelope.apply(Offset.noOffset(), QueueEvent.persistenceId(e.queueId()), 1,
                e, 0L));
        assertEquals(-1, checkpoint(journal));
    }

    private Map<String, IndexEntry> rebuild(List<QueueEvent> events, Map<String, Long> recentlyDone) {
        return QueueManager.index(fold(events).messages, POLICY, recentlyDone);
    }

    /** The checkpoint a tracker gives after taking in this read alone. */
    private static long checkpoint(QueueManager.Rebuild journal) {
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(journal);
        return tracker.checkpoint();
    }

    private QueueManager.Rebuild fold(List<QueueEvent> events) {
        return readJournal(events, 0);
    }
}
