package org.smarthost.actors.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.smarthost.persistence.queue.BackoffPolicy;

/**
 * The queue index as a server saved it when it stopped: every message the journal had queued
 * up to tag offset {@code afterOffset}, so that the next start reads this and the events after
 * that offset instead of the whole history of every queued message. It is a cache, never the
 * record: a start that cannot trust it reads the journal as it always did.
 *
 * <p>A message the saving index could not vouch for (its entry missing, or older than the last
 * event the save's journal read found for it) is only named in {@code unresolved}; the next
 * start reads its own history for it.
 *
 * @param policy      the backoff settings the entries' next attempts were computed with
 *                    ({@link org.smarthost.persistence.queue.BackoffPolicy#toString()})
 * @param afterOffset every queue event up to this tag offset is reflected here
 * @param unresolved  queue ID → tag offset of its first event
 */
record IndexSnapshot(String policy, long afterOffset, List<Saved> entries, Map<String, Long> unresolved) {

    /** An index entry and the tag offset of its message's first event (for the index checkpoint). */
    record Saved(IndexEntry entry, long firstOffset) { }

    IndexSnapshot {
        entries = List.copyOf(entries);
        unresolved = Map.copyOf(unresolved);
    }

    /**
     * What a running queue manager can save: the messages the journal has queued up to the
     * checkpoint tracker's last read (just fed with {@code lastRead}, a read of the newest events,
     * or an empty one when that read took too long) with their index entries. An entry is
     * vouched for unless {@code lastRead} has a later event of its message than the entry
     * reflects; an update can only go missing when a message actor stops between its journal
     * write and its report, so at a stop, and then the event is in {@code lastRead} or after the
     * offset. Events after the offset are in the tail the next start reads: an entry ahead of
     * the read is kept (its message is read again then), and a message that arrived after it is
     * not saved (it comes whole from the tail).
     */
    static IndexSnapshot capture(Map<String, IndexEntry> index, IndexCheckpointTracker tracker,
                                 QueueEventsRead lastRead, BackoffPolicy policy) {
        List<Saved> entries = new ArrayList<>(tracker.queued());
        Map<String, Long> unresolved = new HashMap<>();
        tracker.forEachQueued((id, first) -> {
            IndexEntry e = index.get(id);
            if (e != null && e.seqNr() >= lastRead.newestSeqNr(id)) {
                entries.add(new Saved(e, first));
            } else {
                unresolved.put(id, first);
            }
        });
        return new IndexSnapshot(policy.toString(), tracker.readUpTo(), entries, unresolved);
    }
}
