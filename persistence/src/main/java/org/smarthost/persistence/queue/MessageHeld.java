package org.smarthost.persistence.queue;

import java.time.Instant;

/** The message was put on hold (postsuper -h, or a HOLD action), reason is free text or null. */
public record MessageHeld(String queueId, Instant at, String reason) implements QueueEvent {
}
