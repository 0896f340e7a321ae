package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smarthost.actors.queue.TestMessages.attempt;
import static org.smarthost.actors.queue.TestMessages.readJournal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageHeld;
import org.smarthost.persistence.queue.MessageReleased;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueName;

/**
 * A start from a saved index (IndexSnapshot.capture, IndexRestore): the snapshot plus the events
 * after it, with the histories of the messages it cannot vouch for read again, must give exactly
 * the index a rebuild from the whole journal gives; and when it cannot, it must say so.
 */
class IndexRestoreTest {

    private static final BackoffPolicy POLICY = BackoffPolicy.POSTFIX_DEFAULTS;
    private static final Instant T = Instant.parse("2026-11-25T17:09:00Z");

    /** Saved after offset 6: 5A1 delivered, 5A2 deferred, 5A3 and 5A4 active, 5A5 held. */
    private static final List<QueueEvent> BEFORE = List.of(
            TestMessages.received("5A1", "s@example.org", "r@example.net"),
            TestMessages.received("5A2", "s@example.org", "a@example.net", "b@example.net"),
            TestMessages.received("5A3", "s@example.org", "r@example.net"),
            attempt("5A1", 1, "r@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
            new MessageCompleted("5A1", T),
            attempt("5A2", 1, "b@example.net", DeliveryAttempted.Outcome.DEFERRED, "451 4.7.1 try later"),
            TestMessages.received("5A4", "t@example.org", "r@example.net"),
            TestMessages.received("5A5", "t@example.org", "r@example.net"),
            new MessageHeld("5A5", T, "postsuper -h"));

    /** After the save: 5A3 completes, 5A2 is deferred again, 5A5 released, 5A6 arrives. */
    private static final List<QueueEvent> AFTER = List.of(
            attempt("5A3", 1, "r@example.net", DeliveryAttempted.Outcome.DELIVERED, "250 ok"),
            new MessageCompleted("5A3", T),
            attempt("5A2", 2, "b@example.net", DeliveryAttempted.Outcome.DEFERRED, "421 4.4.2 timeout"),
            new MessageReleased("5A5", T),
            TestMessages.received("5A6", "u@example.org", "x@example.net", "y@example.net"));

    @Test
    void aSavedIndexAndTheEventsAfterItGiveTheIndexARebuildGives() {
        List<QueueEvent> all = concat(BEFORE, AFTER);
        IndexSnapshot saved = save(BEFORE);
        assertEquals(BEFORE.size(), saved.afterOffset());
        assertEquals(Set.of("5A2", "5A3", "5A4", "5A5"), ids(saved), "5A1 is done");
        assertTrue(saved.unresolved().isEmpty());

        IndexRestore restore = new IndexRestore(saved, readJournal(all, saved.afterOffset()), POLICY);
        Set<String> read = restore.historiesToRead().orElseThrow();
        assertEquals(Set.of("5A2", "5A5"), read, "changed after the save without arriving after it");
        IndexRestore.Result r = restore.finish(read, histories(all, read));

        Map<String, IndexEntry> rebuilt = rebuild(all);
        assertEquals(Set.of("5A2", "5A4", "5A5", "5A6"), rebuilt.keySet());
        assertSameIndex(rebuilt, r.index());
        assertEquals(QueueName.DEFERRED, r.index().get("5A5").queue(), "released after the save (postsuper -H)");
        assertEquals(3, r.index().get("5A2").seqNr(), "arrival and two deferrals");
        assertTrue(r.recentlyDone().containsKey("5A3"));
        assertEquals(all.size(), r.readUpTo());
        assertEquals(firstOffsets(all), r.firstOffsets(), "the checkpoint tracker's view of a whole read");
    }

    @Test
    void anEntryTheSavingIndexHadNotCaughtUpWithIsReadAgain() {
        List<QueueEvent> all = concat(BEFORE, AFTER);
        // the index missed 5A2's deferral (its message actor stopped between write and report)
        Map<String, IndexEntry> index = rebuild(BEFORE);
        index.put("5A2", rebuild(BEFORE.subList(0, 5)).get("5A2"));
        index.remove("5A4"); // and 5A4's arrival altogether
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(readJournal(BEFORE, 0));
        IndexSnapshot saved = IndexSnapshot.capture(index, tracker, readJournal(BEFORE, 0), POLICY);
        assertEquals(Map.of("5A2", 2L, "5A4", 7L), saved.unresolved());

        IndexRestore restore = new IndexRestore(saved, readJournal(all, saved.afterOffset()), POLICY);
        Set<String> read = restore.historiesToRead().orElseThrow();
        assertTrue(read.containsAll(Set.of("5A2", "5A4")));
        assertSameIndex(rebuild(all), restore.finish(read, histories(all, read)).index());
    }

    @Test
    void anEntryAheadOfTheSavesLastReadIsKeptAndItsLaterEventsReadAtStart() {
        // 5A2's second deferral reached the index but was written after the save's journal read
        List<QueueEvent> all = concat(BEFORE, AFTER);
        Map<String, IndexEntry> index = rebuild(BEFORE);
        index.put("5A2", rebuild(concat(BEFORE, AFTER.subList(2, 3))).get("5A2"));
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(readJournal(BEFORE, 0));
        IndexSnapshot saved = IndexSnapshot.capture(index, tracker, readJournal(BEFORE, 0), POLICY);
        assertTrue(saved.unresolved().isEmpty());

        IndexRestore restore = new IndexRestore(saved, readJournal(all, saved.afterOffset()), POLICY);
        Set<String> read = restore.historiesToRead().orElseThrow();
        assertTrue(read.contains("5A2"));
        assertSameIndex(rebuild(all), restore.finish(read, histories(all, read)).index());
    }

    @Test
    void aSaveThatCouldNotWaitForItsReadIsCorrectToo() {
        // the last read ended after BEFORE; the index has seen AFTER too when the save gives up
        // waiting for the read of AFTER and saves what that last read knew
        List<QueueEvent> all = concat(BEFORE, AFTER);
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        tracker.absorb(readJournal(BEFORE, 0));
        IndexSnapshot saved = IndexSnapshot.capture(rebuild(all), tracker, new QueueManager.Rebuild(tracker.readUpTo()),
                POLICY);
        assertEquals(BEFORE.size(), saved.afterOffset());
        assertEquals(Set.of("5A3"), saved.unresolved().keySet(), "finished after the read: no entry to save");
        assertFalse(ids(saved).contains("5A6"), "arrived after the read: the tail has it whole");

        IndexRestore restore = new IndexRestore(saved, readJournal(all, saved.afterOffset()), POLICY);
        Set<String> read = restore.historiesToRead().orElseThrow();
        assertEquals(Set.of("5A2", "5A5"), read, "5A3 is done in the tail: nothing to read for it");
        IndexRestore.Result r = restore.finish(read, histories(all, read));
        assertSameIndex(rebuild(all), r.index());
        assertEquals(firstOffsets(all), r.firstOffsets());
    }

    @Test
    void underOtherBackoffSettingsDeferredEntriesAreBackedOffAnew() {
        // main.cf changed between the stop and the start: minimal 60s, maximal 120s
        BackoffPolicy other = new BackoffPolicy(java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(120),
                POLICY.maximalQueueLifetime(), POLICY.bounceQueueLifetime());
        IndexSnapshot saved = save(BEFORE);
        IndexRestore restore = new IndexRestore(saved, readJournal(BEFORE, saved.afterOffset()), other);
        Set<String> read = restore.historiesToRead().orElseThrow();
        IndexRestore.Result r = restore.finish(read, histories(BEFORE, read));

        Map<String, IndexEntry> rebuilt = QueueManager.index(readJournal(BEFORE, 0).messages, other, new HashMap<>());
        assertSameIndex(rebuilt, r.index());
        // deferred 41 s after arrival: backed off by the minimum, now 60 s instead of 300 s
        assertEquals(Instant.parse("2026-11-25T17:09:00Z").getEpochSecond(), r.index().get("5A2").nextAttempt());
        assertEquals(rebuild(BEFORE).get("5A4").nextAttempt(), r.index().get("5A4").nextAttempt(), "active: unchanged");
    }

    @Test
    void aQueuedMessageNeitherTheSnapshotNorTheTailSawArriveMeansARebuild() {
        List<QueueEvent> all = concat(BEFORE, List.of(
                new MessageHeld("5Z9", T, "postsuper -h"))); // no MessageReceived anywhere it can see
        IndexSnapshot saved = save(BEFORE);
        assertTrue(new IndexRestore(saved, readJournal(all, saved.afterOffset()), POLICY).historiesToRead().isEmpty());
    }

    @Test
    void tooManyHistoriesToReadMeansARebuild() {
        List<QueueEvent> before = new ArrayList<>();
        List<QueueEvent> after = new ArrayList<>();
        for (int i = 0; i <= IndexRestore.MAX_HISTORIES; i++) {
            String id = "5B" + i;
            before.add(TestMessages.received(id, "s@example.org", "r@example.net"));
            after.add(new MessageHeld(id, T, "postsuper -h ALL"));
        }
        IndexSnapshot saved = save(before);
        IndexRestore restore = new IndexRestore(saved, readJournal(concat(before, after), saved.afterOffset()), POLICY);
        assertTrue(restore.historiesToRead().isEmpty());

        // done messages need no history: deleting them all after the save is fine
        List<QueueEvent> done = new ArrayList<>(before);
        before.forEach(e -> done.add(new MessageCompleted(e.queueId(), T)));
        IndexRestore deleted = new IndexRestore(saved, readJournal(done, saved.afterOffset()), POLICY);
        assertEquals(Set.of(), deleted.historiesToRead().orElseThrow());
        assertTrue(deleted.finish(Set.of(), Map.of()).index().isEmpty());
    }

    @Test
    void withoutSequenceOffsetsTheSnapshotIsNotUsed() {
        IndexSnapshot saved = save(BEFORE);
        QueueManager.Rebuild tail = readJournal(concat(BEFORE, AFTER), saved.afterOffset());
        tail.offsetsKnown = false;
        assertFalse(new IndexRestore(saved, tail, POLICY).historiesToRead().isPresent());
    }

    /** What a server whose index followed {@code events} saves at a stop right after them. */
    static IndexSnapshot save(List<QueueEvent> events) {
        IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        QueueManager.Rebuild read = readJournal(events, 0);
        tracker.absorb(read);
        return IndexSnapshot.capture(rebuild(events), tracker, read, POLICY);
    }

    static Map<String, IndexEntry> rebuild(List<QueueEvent> events) {
        return QueueManager.index(readJournal(events, 0).messages, POLICY, new HashMap<>());
    }

    /** Each message's own history folded, as the start reads it by persistence id. */
    private static Map<String, QueueManager.Folded> histories(List<QueueEvent> all, Set<String> ids) {
        Map<String, QueueManager.Folded> out = new HashMap<>();
        for (String id : ids) {
            List<QueueEvent> own = all.stream().filter(e -> e.queueId().equals(id)).toList();
            out.putAll(readJournal(own, 0).messages);
        }
        return out;
    }

    private static Map<String, Long> firstOffsets(List<QueueEvent> events) {
        Map<String, Long> firsts = new HashMap<>();
        rebuild(events).keySet().forEach(id -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).queueId().equals(id)) {
                    firsts.put(id, i + 1L);
                    break;
                }
            }
        });
        return firsts;
    }

    private static Set<String> ids(IndexSnapshot s) {
        Set<String> ids = new java.util.HashSet<>();
        s.entries().forEach(e -> ids.add(e.entry().queueId()));
        return ids;
    }

    static void assertSameIndex(Map<String, IndexEntry> expected, Map<String, IndexEntry> got) {
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((id, e) -> assertSameEntry(e, got.get(id)));
    }

    static void assertSameEntry(IndexEntry e, IndexEntry g) {
        String id = e.queueId();
        assertEquals(id, g.queueId());
        assertEquals(e.queue(), g.queue(), id);
        assertEquals(e.arrival(), g.arrival(), id);
        assertEquals(e.size(), g.size(), id);
        assertEquals(e.sender(), g.sender(), id);
        assertArrayEquals(e.recipients(), g.recipients(), id);
        assertArrayEquals(e.reasons(), g.reasons(), id);
        assertEquals(e.nextAttempt(), g.nextAttempt(), id);
        assertEquals(e.forcedExpire(), g.forcedExpire(), id);
        assertEquals(e.seqNr(), g.seqNr(), id);
    }

    private static List<QueueEvent> concat(List<QueueEvent> a, List<QueueEvent> b) {
        List<QueueEvent> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
