package org.smarthost.persistence.queue;

import java.time.Instant;

/** The message was every recipient is done (delivered, bounced or notified); the body may be removed. */
public record MessageCompleted(String queueId, Instant at) implements QueueEvent {
}
