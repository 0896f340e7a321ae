package org.smarthost.persistence.queue;

import java.time.Instant;
import java.util.List;

/**
 * A non-delivery (or success/delay) notification for these recipients was queued as its own
 * message {@code bounceQueueId}; the recipients are finished for this message.
 */
public record BounceQueued(String queueId, Instant at, String bounceQueueId, List<String> recipients)
        implements QueueEvent {
    public BounceQueued {
        recipients = List.copyOf(recipients);
    }
}
