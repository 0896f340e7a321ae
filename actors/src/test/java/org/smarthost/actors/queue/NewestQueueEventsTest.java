package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.smarthost.actors.queue.TestMessages.attempt;
import static org.smarthost.actors.queue.TestMessages.readJournal;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.query.CurrentEventHeadersByTagQuery.EventHeader;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageDeleted;
import org.smarthost.persistence.queue.MessageHeld;
import org.smarthost.persistence.queue.MessageReleased;
import org.smarthost.persistence.queue.QueueEvent;

/**
 * A running server's background reads fold only the events' headers: for the checkpoint and a
 * saved index they must tell exactly what the start-up rebuild's fold of the events tells.
 */
class NewestQueueEventsTest {

    private static final Instant T = Instant.parse("2026-11-27T09:30:00Z");

    /**
     * Delivered, deferred twice, held and released, deleted while deferred, an orphan without
     * its arrival (5B7: a hold of a message whose MessageReceived is not in the journal), one
     * still active at the end.
     */
    private static final List<QueueEvent> JOURNAL = List.of(
            TestMessages.received("5B1", "s@example.org", "r@example.net"),
            TestMessages.received("5B2", "s@example.org", "a@example.net", "b@example.net"),
            attempt("5B1", 1, "r@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
            new MessageCompleted("5B1", T),
            attempt("5B2", 1, "b@example.net", DeliveryAttempted.Outcome.DEFERRED, "451 4.7.1 try later"),
            TestMessages.received("5B3", "t@example.org", "r@example.net"),
            new MessageHeld("5B3", T, "postsuper -h"),
            TestMessages.received("5B4", "t@example.org", "r@example.net"),
            attempt("5B4", 1, "r@example.net", DeliveryAttempted.Outcome.DEFERRED, "421 4.4.2 timeout"),
            new MessageHeld("5B7", T, "postsuper -h"),
            new MessageReleased("5B3", T),
            new MessageDeleted("5B4", T),
            attempt("5B2", 2, "b@example.net", DeliveryAttempted.Outcome.DEFERRED, "421 4.4.2 timeout"),
            TestMessages.received("5B5", "u@example.org", "x@example.net"),
            attempt("5B3", 1, "r@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
            new MessageCompleted("5B3", T),
            TestMessages.received("5B6", "u@example.org", "y@example.net"));

    @Test
    void theHeadersOfEveryPartOfTheJournalTellWhatItsEventsTell() {
        for (int from = 0; from <= JOURNAL.size(); from++) {
            for (int to = from; to <= JOURNAL.size(); to++) {
                QueueManager.Rebuild events = readJournal(JOURNAL.subList(0, to), from);
                NewestQueueEvents headers = readHeaders(JOURNAL.subList(0, to), from);
                String part = "events " + (from + 1) + ".." + to;
                assertEquals(seen(events), seen(headers), part);
                assertEquals(events.lastOffset(), headers.lastOffset(), part);
                for (String id : List.of("5B1", "5B2", "5B3", "5B4", "5B5", "5B6", "5B7", "5B9")) {
                    assertEquals(events.newestSeqNr(id), headers.newestSeqNr(id), part + ", " + id);
                }
            }
        }
    }

    @Test
    void aCheckpointMovedByHeaderReadsIsWhereEventReadsMoveIt() {
        IndexCheckpointTracker byEvents = new IndexCheckpointTracker();
        IndexCheckpointTracker byHeaders = new IndexCheckpointTracker();
        // the start-up rebuild reads the events; the background reads after it only headers
        byEvents.absorb(readJournal(JOURNAL.subList(0, 3), 0));
        byHeaders.absorb(readJournal(JOURNAL.subList(0, 3), 0));
        int[] reads = {3, 6, 9, 10, 13, 16, 17};
        for (int i = 1; i < reads.length; i++) {
            byEvents.absorb(readJournal(JOURNAL.subList(0, reads[i]), reads[i - 1]));
            byHeaders.absorb(readHeaders(JOURNAL.subList(0, reads[i]), reads[i - 1]));
            assertEquals(byEvents.checkpoint(), byHeaders.checkpoint(), "after event " + reads[i]);
            assertEquals(queued(byEvents), queued(byHeaders), "after event " + reads[i]);
        }
        assertEquals(Map.of("5B2", 2L, "5B5", 14L, "5B6", 17L), queued(byHeaders));
        assertEquals(1, byHeaders.checkpoint(), "5B2, deferred, holds it just before its arrival");
    }

    @Test
    void offsetsThatAreNotSequenceNumbersMakeTheReadUnusableForACheckpoint() {
        NewestQueueEvents read = new NewestQueueEvents(0);
        read.add(new EventHeader(Offset.timeBasedUUID(java.util.UUID.fromString(
                "6ba7b810-9dad-11d1-80b4-00c04fd430c8")), "message|5B1", 1, JOURNAL.get(0).getClass().getName()));
        assertFalse(read.offsetsKnown());
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(read);
        assertEquals(-1, tracker.checkpoint());
    }

    @Test
    void otherEventsUnderTheTagAreNotMessages() {
        NewestQueueEvents read = new NewestQueueEvents(0);
        read.add(new EventHeader(Offset.sequence(1), "message|5B1", 1, "java.lang.String"));
        read.add(new EventHeader(Offset.sequence(2), "destination|smtp:example.net", 1,
                JOURNAL.get(0).getClass().getName()));
        assertEquals(Map.of(), seen(read));
        assertEquals(2, read.lastOffset(), "still read");
    }

    /** The headers of a journal holding {@code events} at tag offsets 1, 2, ..., after {@code afterOffset}. */
    private static NewestQueueEvents readHeaders(List<QueueEvent> events, long afterOffset) {
        Map<String, Long> seq = new HashMap<>();
        NewestQueueEvents acc = new NewestQueueEvents(afterOffset);
        long offset = 0;
        for (QueueEvent e : events) {
            long nr = seq.merge(e.queueId(), 1L, Long::sum);
            if (++offset <= afterOffset) continue;
            acc = NewestQueueEvents.fold(acc, new EventHeader(Offset.sequence(offset),
                    QueueEvent.persistenceId(e.queueId()), nr, e.getClass().getName()));
        }
        return acc;
    }

    private static Map<String, String> seen(QueueEventsRead read) {
        Map<String, String> seen = new TreeMap<>();
        read.forEachMessage((id, finished, arrived, first) ->
                seen.put(id, (finished ? "finished" : arrived ? "arrived" : "neither") + " from " + first));
        return seen;
    }

    private static Map<String, Long> queued(IndexCheckpointTracker tracker) {
        Map<String, Long> queued = new TreeMap<>();
        tracker.forEachQueued(queued::put);
        return queued;
    }
}
