package org.smarthost.actors.queue;

/**
 * A read of the queue events after some tag offset, as far as the index checkpoint and a saved
 * index need it: which messages arrived in it, which finished, and where their events are.
 * The start-up rebuild ({@link QueueManager.Rebuild}) folds the events themselves; a running
 * server's background reads ({@link NewestQueueEvents}) only their headers.
 */
interface QueueEventsRead {

    /** The last tag offset read (the offset the read began after, when it found nothing). */
    long lastOffset();

    /** False when the journal's offsets are not sequence numbers. */
    boolean offsetsKnown();

    /** Each message with events in the read. */
    void forEachMessage(MessageSeen action);

    /** The sequence number of the message's newest event in the read, or -1 when it has none there. */
    long newestSeqNr(String queueId);

    interface MessageSeen {
        /**
         * @param finished    its MessageCompleted or MessageDeleted is in the read
         * @param arrived     its MessageReceived is in the read and it is not finished
         * @param firstOffset the tag offset of its first event in the read
         */
        void accept(String queueId, boolean finished, boolean arrived, long firstOffset);
    }
}
