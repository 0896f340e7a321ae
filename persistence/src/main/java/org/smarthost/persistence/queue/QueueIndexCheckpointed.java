package org.smarthost.persistence.queue;

import java.time.Instant;
import org.smarthost.persistence.CborSerializable;

/**
 * The queue index's start-up rebuild may begin after tag offset {@code afterOffset}: every
 * message with an event at or before it was finished when this was written. Persisted by the
 * queue manager after a rebuild under {@link #PERSISTENCE_ID}, never tagged: it is not a queue
 * event, and the message histories themselves stay whole for auditors. Schema version 1.
 */
public record QueueIndexCheckpointed(long afterOffset, Instant at) implements CborSerializable {

    public static final String PERSISTENCE_ID = "qmgr|index-checkpoint";
}
