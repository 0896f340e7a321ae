package org.smarthost.persistence.queue;

import java.time.Instant;

/** The message was forced to expire (postsuper -e/-f); the next attempt returns it to the sender as undeliverable. Does not release it from hold. */
public record MessageExpired(String queueId, Instant at) implements QueueEvent {
}
