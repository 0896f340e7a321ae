package org.smarthost.actors.queue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Where the queue index checkpoint may be: just before the first event of the oldest message
 * still queued, else after the last event read. Fed first by the start-up rebuild, then by
 * background reads of only the events since the previous read, so a running server reads each
 * event once however long a deferred message holds the checkpoint back. For that it keeps the
 * first tag offset of every queued message whose arrival it has read.
 */
final class IndexCheckpointTracker {

    private final Map<String, Long> firstOffsets = new HashMap<>();
    private long readUpTo;
    private boolean offsetsKnown = true;

    /** Takes in a read of the queue events after {@link #readUpTo()}. */
    void absorb(QueueEventsRead journal) {
        absorb(journal, UnaryOperator.identity());
    }

    /**
     * As {@link #absorb(QueueEventsRead)}, keeping each new message under the string
     * {@code sameId} gives for its queue ID: the index's own, so that a read's fresh copies of
     * the IDs do not stay alive here (about 56 bytes per queued message).
     */
    void absorb(QueueEventsRead journal, UnaryOperator<String> sameId) {
        offsetsKnown &= journal.offsetsKnown();
        readUpTo = Math.max(readUpTo, journal.lastOffset());
        journal.forEachMessage((queueId, finished, arrived, firstOffset) -> {
            if (finished) {
                firstOffsets.remove(queueId);
            } else if (arrived) {
                if (!firstOffsets.containsKey(queueId)) firstOffsets.put(sameId.apply(queueId), firstOffset);
            }
            // neither: queued since an earlier read (already kept), or an orphan without a
            // MessageReceived, which is not in the index and holds nothing back
        });
    }

    /**
     * Takes in a saved index instead of a read from the start: its queued messages with their
     * first tag offsets, all events up to {@code readUpTo} accounted for.
     */
    void restore(Map<String, Long> queued, long readUpTo) {
        firstOffsets.putAll(queued);
        this.readUpTo = Math.max(this.readUpTo, readUpTo);
    }

    /** Each message queued by the events read, with the tag offset of its first event. */
    void forEachQueued(BiConsumer<String, Long> action) {
        firstOffsets.forEach(action);
    }

    int queued() {
        return firstOffsets.size();
    }

    /** The last tag offset read: the next read starts after it. */
    long readUpTo() {
        return readUpTo;
    }

    /** False when the journal's offsets are not sequence numbers: no checkpoint then. */
    boolean usable() {
        return offsetsKnown;
    }

    /** Where the next rebuild may begin, or -1 when that cannot be told. */
    long checkpoint() {
        if (!offsetsKnown) return -1;
        long at = readUpTo;
        for (long first : firstOffsets.values()) at = Math.min(at, first - 1);
        return at;
    }
}
