package org.smarthost.persistence.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message as its events made it: which queue it is in, which recipients are still to be
 * delivered and why the last attempt failed for them. Immutable; {@link #apply} returns the
 * next state. The initial state (no events) is the incoming queue.
 *
 * @param received      the MessageReceived event, null while incoming
 * @param queue         current Postfix queue
 * @param pending       recipients not yet delivered, bounced or notified, in envelope order,
 *                      mapped to the reason of their last deferral ("" if none yet)
 * @param attempts      number of DeliveryAttempted events
 * @param eligibleAt    for the active queue: since when it may be delivered
 * @param lastDeferredAt time of the last deferral, the base of the backoff
 * @param heldFrom      the queue the message was in before it was put on hold
 * @param forcedExpire  postsuper -f was used (postqueue -j "forced_expire")
 * @param delayWarned   a delay warning was sent
 * @param deleted       the administrator deleted it
 */
public record MessageState(String queueId, MessageReceived received, QueueName queue,
                           Map<String, String> pending, int attempts, Instant eligibleAt,
                           Instant lastDeferredAt, QueueName heldFrom, boolean forcedExpire,
                           boolean delayWarned, boolean deleted) {

    public MessageState {
        pending = Collections.unmodifiableMap(new LinkedHashMap<>(pending));
    }

    public static MessageState incoming(String queueId) {
        return new MessageState(queueId, null, QueueName.INCOMING, Map.of(), 0, null, null, null,
                false, false, false);
    }

    /** Folds a whole event history, e.g. from a read-journal query. */
    public static MessageState of(String queueId, Iterable<? extends QueueEvent> events) {
        MessageState s = incoming(queueId);
        for (QueueEvent e : events) s = s.apply(e);
        return s;
    }

    public boolean isDone() {
        return queue == QueueName.DONE;
    }

    /** The next attempt time, or null when the message is not waiting for one (hold, done...). */
    public Instant nextAttempt(BackoffPolicy policy) {
        switch (queue) {
            case ACTIVE:
                return eligibleAt;
            case DEFERRED:
                return lastDeferredAt == null ? eligibleAt
                        : max(eligibleAt, policy.nextAttempt(received.at(), lastDeferredAt));
            default:
                return null;
        }
    }

    /** The deferral reason of a pending recipient, or "" when it has none. */
    public String reason(String recipient) {
        return pending.getOrDefault(recipient, "");
    }

    public MessageState apply(QueueEvent event) {
        if (event instanceof MessageReceived r) {
            Map<String, String> p = new LinkedHashMap<>();
            for (EnvelopeRecipient rcpt : r.recipients()) p.put(rcpt.address(), "");
            return new MessageState(queueId, r, QueueName.ACTIVE, p, 0, r.at(), null, null,
                    false, false, false);
        }
        if (event instanceof MessageHeld) {
            return queue == QueueName.HOLD || isDone() ? this
                    : with(QueueName.HOLD, eligibleAt, lastDeferredAt, queue);
        }
        if (event instanceof MessageReleased r) {
            // postsuper -H moves mail to the deferred queue; it is eligible at once.
            return queue != QueueName.HOLD ? this : with(QueueName.DEFERRED, r.at(), null, null);
        }
        if (event instanceof MessageRequeued r) {
            // Eligible at once; later backoffs still follow the message's age, as in Postfix.
            return isDone() ? this : with(QueueName.ACTIVE, r.at(), null, null);
        }
        if (event instanceof MessageExpired) {
            // Only a mark: the next attempt returns the message (postsuper -f also releases it).
            return isDone() ? this
                    : new MessageState(queueId, received, queue, pending, attempts, eligibleAt, lastDeferredAt,
                            heldFrom, true, delayWarned, deleted);
        }
        if (event instanceof DeliveryAttempted a) return afterAttempt(a);
        if (event instanceof DelayWarningSent) {
            return new MessageState(queueId, received, queue, pending, attempts, eligibleAt,
                    lastDeferredAt, heldFrom, forcedExpire, true, deleted);
        }
        if (event instanceof BounceQueued b) {
            Map<String, String> p = new LinkedHashMap<>(pending);
            b.recipients().forEach(p::remove);
            return new MessageState(queueId, received, queue, p, attempts, eligibleAt,
                    lastDeferredAt, heldFrom, forcedExpire, delayWarned, deleted);
        }
        if (event instanceof MessageCorrupted) {
            return with(QueueName.CORRUPT, eligibleAt, lastDeferredAt, null);
        }
        if (event instanceof MessageDeleted) {
            return new MessageState(queueId, received, QueueName.DONE, Map.of(), attempts, null,
                    lastDeferredAt, null, forcedExpire, delayWarned, true);
        }
        if (event instanceof MessageCompleted) {
            return new MessageState(queueId, received, QueueName.DONE, Map.of(), attempts, null,
                    lastDeferredAt, null, forcedExpire, delayWarned, deleted);
        }
        throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private MessageState afterAttempt(DeliveryAttempted a) {
        Map<String, String> p = new LinkedHashMap<>(pending);
        boolean deferred = false;
        for (DeliveryAttempted.RecipientOutcome o : a.outcomes()) {
            if (!p.containsKey(o.address())) continue;
            if (o.outcome() == DeliveryAttempted.Outcome.DEFERRED) {
                p.put(o.address(), o.reply() == null ? "" : o.reply());
                deferred = true;
            } else if (o.outcome() == DeliveryAttempted.Outcome.DELIVERED) {
                p.remove(o.address());
            }
            // A bounced recipient stays pending until its BounceQueued: the bounce is owed.
        }
        QueueName q = queue;
        Instant deferredAt = lastDeferredAt;
        if (deferred && (queue == QueueName.ACTIVE || queue == QueueName.DEFERRED)) {
            q = QueueName.DEFERRED;
            deferredAt = a.at();
        }
        return new MessageState(queueId, received, q, p, attempts + 1, eligibleAt, deferredAt,
                heldFrom, forcedExpire, delayWarned, deleted);
    }

    private MessageState with(QueueName q, Instant eligible, Instant deferredAt, QueueName from) {
        return new MessageState(queueId, received, q, pending, attempts, eligible, deferredAt, from,
                forcedExpire, delayWarned, deleted);
    }

    /** Pending recipients in envelope order. */
    public List<String> pendingRecipients() {
        return new ArrayList<>(pending.keySet());
    }

    private static Instant max(Instant a, Instant b) {
        if (a == null) return b;
        return a.isAfter(b) ? a : b;
    }
}
