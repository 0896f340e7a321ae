package org.smarthost.persistence.queue;

import java.time.Instant;

/** The message was requeued (postsuper -r); eligible for delivery now, backoff restarts. */
public record MessageRequeued(String queueId, Instant at) implements QueueEvent {
}
