package org.smarthost.actors.queue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueName;

/**
 * What the queue index keeps per message: enough for postqueue -p/-j and for scheduling,
 * nothing more. Recipients and their deferral reasons are parallel arrays; equal reason
 * strings are shared (interned), as a whole deferred destination usually has one reason.
 *
 * @param arrival      arrival time, epoch seconds
 * @param nextAttempt  epoch seconds of the next delivery attempt, or -1 (hold, corrupt)
 * @param lastDeferred epoch seconds of the deferral the next attempt is backed off from, or -1:
 *                     a saved index read under other backoff settings recomputes from it
 * @param reasons      per recipient deferral reason, "" when none
 * @param seqNr        sequence number of the last event applied
 */
public record IndexEntry(String queueId, QueueName queue, long arrival, long size, String sender,
                         String[] recipients, String[] reasons, long nextAttempt, long lastDeferred,
                         boolean forcedExpire, long seqNr) {

    static IndexEntry of(MessageState s, long seqNr, BackoffPolicy policy) {
        Map<String, String> pending = new LinkedHashMap<>(s.pending());
        String[] rcpts = pending.keySet().toArray(String[]::new);
        String[] reasons = new String[rcpts.length];
        for (int i = 0; i < rcpts.length; i++) reasons[i] = pending.get(rcpts[i]).intern();
        Instant next = s.nextAttempt(policy);
        return new IndexEntry(s.queueId(), s.queue(), s.received().at().getEpochSecond(), s.received().size(),
                s.received().sender(), rcpts, reasons, next == null ? -1 : next.getEpochSecond(),
                s.queue() == QueueName.DEFERRED && s.lastDeferredAt() != null
                        ? s.lastDeferredAt().getEpochSecond() : -1,
                s.forcedExpire(), seqNr);
    }

    /**
     * This entry with its next attempt backed off under {@code policy} (to the second). A
     * deferral's time is never before the message became eligible (arrival, requeue or release
     * all clear the deferral), so the backoff alone decides it, as in {@link MessageState#nextAttempt}.
     */
    IndexEntry backedOffUnder(BackoffPolicy policy) {
        if (lastDeferred < 0) return this;
        long next = policy.nextAttempt(Instant.ofEpochSecond(arrival), Instant.ofEpochSecond(lastDeferred))
                .getEpochSecond();
        return new IndexEntry(queueId, queue, arrival, size, sender, recipients, reasons, next, lastDeferred,
                forcedExpire, seqNr);
    }
}
