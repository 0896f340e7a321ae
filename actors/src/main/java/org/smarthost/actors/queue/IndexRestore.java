package org.smarthost.actors.queue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.smarthost.persistence.queue.BackoffPolicy;

/**
 * Brings a saved index up to date with the journal: the snapshot, then the queue events after
 * its offset (the tail), folded as the rebuild folds them. A tail event of a message whose
 * arrival is in the snapshot cannot be applied to an index entry (the entry keeps too little
 * state), so such a message, and every one the snapshot left unresolved, is read again from its
 * own history. When that would be many, or the tail has a queued message that neither the
 * snapshot nor the tail itself saw arrive, the snapshot is not used at all. Saved under other
 * backoff settings (main.cf changed before the start), deferred entries are backed off anew.
 */
final class IndexRestore {

    /** Past this many histories to read one by one, the usual rebuild is the quicker way. */
    static final int MAX_HISTORIES = 1_000;

    /** The restored index, and what the queue manager keeps besides it. */
    record Result(Map<String, IndexEntry> index, Map<String, Long> recentlyDone, Map<String, Long> firstOffsets,
                  long readUpTo) { }

    private final IndexSnapshot snapshot;
    private final QueueManager.Rebuild tail;
    private final BackoffPolicy policy;
    private final Map<String, IndexEntry> index;
    private final Map<String, Long> firstOffsets;

    IndexRestore(IndexSnapshot snapshot, QueueManager.Rebuild tail, BackoffPolicy policy) {
        this.snapshot = snapshot;
        this.tail = tail;
        this.policy = policy;
        int n = snapshot.entries().size();
        this.index = new HashMap<>(n * 4 / 3 + 16);
        this.firstOffsets = new HashMap<>((n + snapshot.unresolved().size()) * 4 / 3 + 16);
        boolean otherBackoff = !snapshot.policy().equals(policy.toString());
        for (IndexSnapshot.Saved s : snapshot.entries()) {
            index.put(s.entry().queueId(), otherBackoff ? s.entry().backedOffUnder(policy) : s.entry());
            firstOffsets.put(s.entry().queueId(), s.firstOffset());
        }
        firstOffsets.putAll(snapshot.unresolved());
    }

    /**
     * The messages whose own history must be read before {@link #finish}, or empty when the
     * snapshot cannot be used with this tail.
     */
    Optional<Set<String>> historiesToRead() {
        if (!tail.offsetsKnown) return Optional.empty();
        Set<String> ids = new HashSet<>();
        for (String id : snapshot.unresolved().keySet()) {
            QueueManager.Folded f = tail.messages.get(id);
            if (f == null || !f.isDone()) ids.add(id); // finished after the save: nothing to read
        }
        for (Map.Entry<String, QueueManager.Folded> m : tail.messages.entrySet()) {
            if (!m.getValue().isPartial()) continue; // arrived in the tail, or done: the tail's fold is whole
            if (!firstOffsets.containsKey(m.getKey())) return Optional.empty();
            ids.add(m.getKey());
        }
        return ids.size() > MAX_HISTORIES ? Optional.empty() : Optional.of(ids);
    }

    /**
     * The index: the snapshot with the tail applied and the histories read in place of their
     * entries. {@code read} is what {@link #historiesToRead} gave; {@code histories} holds each
     * of those messages folded from its own events (one with no events at all is absent).
     */
    Result finish(Set<String> read, Map<String, QueueManager.Folded> histories) {
        Map<String, Long> recentlyDone = QueueManager.recentlyDoneMap();
        tail.messages.forEach((id, f) -> {
            if (f.isDone()) {
                forget(id);
                recentlyDone.put(id, f.seqNr());
            } else if (!f.isPartial()) {
                index.put(id, IndexEntry.of(f.state(), f.seqNr(), policy));
                firstOffsets.putIfAbsent(id, f.firstOffset());
            }
        });
        for (String id : read) {
            QueueManager.Folded f = histories.get(id);
            if (f == null || f.isPartial()) {
                forget(id); // no arrival in its history: not a message the index can show
            } else if (f.isDone()) {
                forget(id);
                recentlyDone.put(id, f.seqNr());
            } else {
                index.put(id, IndexEntry.of(f.state(), f.seqNr(), policy));
            }
        }
        return new Result(index, recentlyDone, firstOffsets, Math.max(snapshot.afterOffset(), tail.lastOffset));
    }

    private void forget(String id) {
        index.remove(id);
        firstOffsets.remove(id);
    }
}
