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
}
