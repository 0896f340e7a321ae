package org.smarthost.actors.queue;

import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;

/**
 * A read of the queue events after some tag offset, as far as the index checkpoint and a saved
 * index need it: which messages arrived in it, which finished, and where their events are.
 * The start-up rebuild ({@link QueueManager.Rebuild}) folds the events themselves; a running
 * server's background reads ({@link NewestQueueEvents}) only their headers.
 */
abstract class QueueEventsRead {

    /** The last tag offset read (the offset the read began after, when it found nothing). */
    long lastOffset;
    /** False when the journal's offsets are not sequence numbers. */
    boolean offsetsKnown = true;

    QueueEventsRead(long afterOffset) {
        this.lastOffset = afterOffset;
    }

    /** Takes in the offset of an event read: its tag offset, or -1 when it is not a sequence number. */
    final long read(Offset offset) {
        if (offset instanceof Sequence s) {
            lastOffset = Math.max(lastOffset, s.value());
            return s.value();
        }
        offsetsKnown = false;
        return -1;
    }

    final long lastOffset() {
        return lastOffset;
    }

    final boolean offsetsKnown() {
        return offsetsKnown;
    }

    /** Each message with events in the read. */
    abstract void forEachMessage(MessageSeen action);

    /** The sequence number of the message's newest event in the read, or -1 when it has none there. */
    abstract long newestSeqNr(String queueId);

    interface MessageSeen {
        /**
         * @param finished    its MessageCompleted or MessageDeleted is in the read
         * @param arrived     its MessageReceived is in the read and it is not finished
         * @param firstOffset the tag offset of its first event in the read
         */
        void accept(String queueId, boolean finished, boolean arrived, long firstOffset);
    }
}
