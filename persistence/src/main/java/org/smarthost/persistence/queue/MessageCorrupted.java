package org.smarthost.persistence.queue;

import java.time.Instant;

/**
 * The message cannot be processed (body missing or unreadable): it moves to the corrupt queue,
 * as Postfix does with damaged queue files.
 */
public record MessageCorrupted(String queueId, Instant at, String reason) implements QueueEvent {
}
