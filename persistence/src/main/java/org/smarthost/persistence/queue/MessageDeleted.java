package org.smarthost.persistence.queue;

import java.time.Instant;

/** The message was deleted by the administrator (postsuper -d); the body may be removed. */
public record MessageDeleted(String queueId, Instant at) implements QueueEvent {
}
