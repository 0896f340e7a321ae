package org.smarthost.persistence.queue;

import java.time.Instant;
import org.smarthost.persistence.CborSerializable;

/**
 * Everything that happens to a queued message, persisted by its MessageActor under
 * {@code message|<queueId>}. Events are facts in the past tense and never change meaning:
 * a field added later must be nullable (old events lack it) and a rename or type change needs
 * a Pekko {@code JacksonMigration} registered for the class, which bumps its schema version in
 * the serializer manifest. All events are schema version 1.
 */
public sealed interface QueueEvent extends CborSerializable
        permits MessageReceived, MessageHeld, MessageReleased, MessageRequeued, DeliveryAttempted,
                DelayWarningSent, BounceQueued, MessageExpired, MessageDeleted, MessageCompleted,
                MessageCorrupted {

    /** Tag under which every queue event is journaled, for eventsByTag queries. */
    String TAG = "queue";

    String queueId();

    /** When it happened (server clock). */
    Instant at();

    static String persistenceId(String queueId) {
        return "message|" + queueId;
    }
}
