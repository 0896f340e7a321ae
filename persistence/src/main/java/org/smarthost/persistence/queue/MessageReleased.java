package org.smarthost.persistence.queue;

import java.time.Instant;

/** The message was released from hold (postsuper -H); it moves to the deferred queue, eligible now. */
public record MessageReleased(String queueId, Instant at) implements QueueEvent {
}
