package org.smarthost.persistence.queue;

import java.time.Instant;
import java.util.List;

/**
 * One delivery attempt to one destination, with the outcome of every recipient in it (one
 * event per attempt, so LMTP's per-recipient replies are one event).
 *
 * @param destination transport:nexthop, e.g. "smtp:[relay.example]:587"
 * @param attempt     1 for the first attempt of this message, counting all destinations
 */
public record DeliveryAttempted(String queueId, Instant at, String destination, int attempt,
                                List<RecipientOutcome> outcomes) implements QueueEvent {
    public DeliveryAttempted {
        outcomes = List.copyOf(outcomes);
    }

    /** What became of one recipient. */
    public enum Outcome {
        /** status=sent */
        DELIVERED,
        /** status=deferred: try again later */
        DEFERRED,
        /** status=bounced: permanent failure, a bounce is due */
        BOUNCED
    }

    /**
     * @param dsnStatus RFC 3463 status, e.g. "2.0.0", "4.4.1", "5.1.1"
     * @param reply     the remote reply or local diagnostic, as Postfix logs it in parentheses
     * @param relay     relay=host[addr]:port, or "none"
     * @param delays    Postfix's delays=a/b/c/d
     */
    public record RecipientOutcome(String address, Outcome outcome, String dsnStatus, String reply,
                                   String relay, Delays delays) {
    }

    /**
     * Postfix's delays=a/b/c/d in seconds: before the queue manager, in the queue manager,
     * connection setup, message transmission.
     */
    public record Delays(double beforeQueueManager, double inQueueManager, double connectionSetup,
                         double transmission) {
    }
}
