package org.smarthost.persistence.queue;

import java.time.Instant;
import java.util.List;

/** A delay notification (delay_warning_time) went to the sender for these recipients. */
public record DelayWarningSent(String queueId, Instant at, String warningQueueId, List<String> recipients)
        implements QueueEvent {
    public DelayWarningSent {
        recipients = List.copyOf(recipients);
    }
}
