package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueIdGenerator;

/**
 * Rough heap cost of one queue index entry (a deferred message, one recipient, a shared
 * deferral reason) including its HashMap slot. Printed for the record; the bound is loose
 * because GC-based measurement is approximate.
 */
class IndexFootprintTest {

    @Test
    void entryCostsAFewHundredBytes() {
        int n = 100_000;
        QueueIdGenerator ids = QueueIdGenerator.forThisProcess();
        List<IndexEntry> template = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String id = ids.next();
            MessageState s = MessageState.of(id, List.of(TestMessages.received(id, "sender" + i + "@example.com",
                            "rcpt" + i + "@example.net"),
                    new DeliveryAttempted(id, java.time.Instant.parse("2026-11-25T17:08:00Z"), "smtp:[relay]", 1,
                            List.of(new DeliveryAttempted.RecipientOutcome("rcpt" + i + "@example.net",
                                    DeliveryAttempted.Outcome.DEFERRED, "4.4.1",
                                    "connect to relay.example[192.0.2.1]:25: Connection refused", "none", null)))));
            template.add(IndexEntry.of(s, 2, BackoffPolicy.POSTFIX_DEFAULTS));
        }
        long before = usedHeap();
        Map<String, IndexEntry> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            IndexEntry t = template.get(i % template.size());
            // fresh strings per entry, as messages from the journal would have
            String id = ids.next();
            index.put(id, new IndexEntry(id, t.queue(), t.arrival(), t.size(), new String(t.sender()),
                    new String[] {new String(t.recipients()[0])}, t.reasons(), t.nextAttempt(), t.lastDeferred(), false, t.seqNr()));
        }
        long after = usedHeap();
        long perEntry = (after - before) / n;
        System.out.println("queue index: about " + perEntry + " bytes per entry (" + n + " entries)");
        assertTrue(index.size() == n);
        assertTrue(perEntry > 0 && perEntry < 1024, "bytes per entry: " + perEntry);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
