package org.smarthost.actors.delivery;

import java.util.concurrent.CompletionStage;

/**
 * A delivery agent (smtp, lmtp, local, virtual, pipe, discard, error, retry): performs one
 * delivery. The {@link DestinationActor} calls it only inside a granted concurrency slot and
 * takes the result as feedback. Completing exceptionally means the agent itself broke; qmgr
 * then defers the recipients with "unknown mail transport error" and backs off.
 */
@FunctionalInterface
public interface DeliveryAgent {

    CompletionStage<DeliveryResult> deliver(DeliveryJob job);

    /**
     * As {@link #deliver(DeliveryJob)}, with qmgr's on-demand connection caching decision
     * ({@link OnDemandConnectionCache}): when {@code cacheConnection} is true the destination has
     * deliveries back to back, and an agent that connects somewhere keeps its connection for the
     * next delivery. Agents that connect nowhere ignore it.
     */
    default CompletionStage<DeliveryResult> deliver(DeliveryJob job, boolean cacheConnection) {
        return deliver(job);
    }
}
