package org.smarthost.actors.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.smarthost.persistence.CborSerializable;
import org.smarthost.persistence.queue.DeliveryAttempted;

/**
 * The DestinationActor's answer to {@link DestinationActor.Deliver}: the job is done for now,
 * either attempted by the agent or deferred without an attempt because the destination is dead
 * ("delivery temporarily suspended: ...").
 *
 * @param job       the job as requested
 * @param result    per-recipient outcomes
 * @param attempted false when deferred without calling the agent
 * @param transportFailure the agent itself failed (exception, incomplete answer): recipients are
 *                  deferred with "4.3.0 unknown mail transport error". Postfix's qmgr then
 *                  suspends the whole transport for transport_retry_time and defers its waiting
 *                  mail; smarthost does not implement that parameter yet
 * @param started   when the slot was granted (or the deferral decided)
 * @param finished  when the result arrived
 */
public record DeliveryFinished(DeliveryJob job, DeliveryResult result, boolean attempted, boolean transportFailure,
                               Instant started, Instant finished) implements CborSerializable {

    /**
     * The MessageActor's event for this attempt, with Postfix's delays=a/b/c/d: a = arrival to
     * queue manager, b = in the queue manager until the slot, c/d from the agent.
     */
    public DeliveryAttempted toDeliveryAttempted(int attempt) {
        double a = seconds(Duration.between(job.arrival(), job.activeSince()));
        double b = seconds(Duration.between(job.activeSince(), started));
        DeliveryAttempted.Delays delays = new DeliveryAttempted.Delays(a, b,
                seconds(result.connectionSetup()), seconds(result.transmission()));
        List<DeliveryAttempted.RecipientOutcome> outcomes = result.recipients().stream()
                .map(r -> r.toOutcome(delays)).toList();
        return new DeliveryAttempted(job.queueId(), finished, job.destination(), attempt, outcomes);
    }

    private static double seconds(Duration d) {
        return Math.max(0, d.toNanos() / 1e9);
    }
}
