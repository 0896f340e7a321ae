package org.smarthost.actors.queue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.QueueEvent;

final class TestMessages {
    private TestMessages() { }

    static MessageReceived received(String queueId, String sender, String... rcpts) {
        List<EnvelopeRecipient> r = java.util.Arrays.stream(rcpts)
                .map(a -> new EnvelopeRecipient(a, Set.of("SUCCESS", "FAILURE"), "rfc822;" + a)).toList();
        return new MessageReceived(queueId, Instant.parse("2026-11-25T17:07:19Z"), sender, r, "HDRS", "env-1", 433,
                "localhost", "127.0.0.1", 39610, "client.example", "ESMTP", null, queueId, false, "8BITMIME",
                "<" + queueId + "@test>", "smtp", "127.0.0.1", 25, "local");
    }

    /** A delivery attempt at 2026-11-25T17:08:00Z with one recipient's outcome. */
    static DeliveryAttempted attempt(String id, int n, String rcpt, DeliveryAttempted.Outcome outcome, String reply) {
        return new DeliveryAttempted(id, Instant.parse("2026-11-25T17:08:00Z"), "smtp:[relay]", n,
                List.of(new DeliveryAttempted.RecipientOutcome(rcpt, outcome,
                        outcome == DeliveryAttempted.Outcome.DELIVERED ? "2.0.0" : "4.4.1", reply,
                        "relay[127.0.0.1]:9", null)));
    }

    /**
     * A start-up read of a journal holding {@code events} at tag offsets 1, 2, ...: the ones
     * after {@code afterOffset}, folded as QueueManager folds them.
     */
    static QueueManager.Rebuild readJournal(List<QueueEvent> events, long afterOffset) {
        Map<String, Long> seq = new HashMap<>();
        QueueManager.Rebuild acc = new QueueManager.Rebuild(afterOffset);
        long offset = 0;
        for (QueueEvent e : events) {
            long nr = seq.merge(e.queueId(), 1L, Long::sum);
            if (++offset <= afterOffset) continue;
            acc = QueueManager.fold(acc, EventEnvelope.apply(Offset.sequence(offset),
                    QueueEvent.persistenceId(e.queueId()), nr, e, 0L));
        }
        return acc;
    }
}
