package org.smarthost.persistence.journal;

import org.apache.pekko.persistence.AtomicWrite;
import org.smarthost.persistence.store.RocksStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smarthost.persistence.JournalProbe.atomic;
import static org.smarthost.persistence.JournalProbe.repr;

import java.nio.file.Path;
import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.JournalProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.JournalProbe;
import org.smarthost.persistence.TestEvent;
import org.smarthost.persistence.TestStores;

/** The journal contract against the real plugin and a real RocksDB in a temp dir. */
class RocksJournalTest {

    @TempDir
    Path dir;
    private ActorTestKit kit;

    private JournalProbe start() {
        kit = TestStores.testKit(dir);
        return new JournalProbe(kit);
    }

    private JournalProbe restart() {
        kit.shutdownTestKit();
        return start();
    }

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
        }
    }

    @Test
    void highestSequenceNumberIsReadFromMemoryWhenItCanBeAndFromDiskOtherwise() throws Exception {
        JournalProbe j = start();
        j.write(atomic(repr("message|OLD", 1, "a"), repr("message|OLD", 2, "b")));
        // enough ids that they span many blocks, most of which a fresh start never reads
        AtomicWrite[] many = new AtomicWrite[5000];
        for (int i = 0; i < many.length; i++) many[i] = atomic(repr(String.format("message|P%04d", i), 1, "x"));
        j.write(many);
        kit.shutdownTestKit();
        kit = null;
        try (RocksStore store = RocksStore.acquire(dir)) {
            store.db().flush(new org.rocksdb.FlushOptions().setWaitForFlush(true));
        }
        try (RocksStore store = RocksStore.acquire(dir)) { // reopened: nothing in memory yet
            JournalIndex index = JournalIndex.of(store);
            // queue ids grow with time, so a new message's id sorts after every stored one
            assertEquals(java.util.OptionalLong.of(0L), index.highestSequenceNrWithoutIo("message|ZNEW"),
                    "an id never written is known to be new without a read from disk");
            assertTrue(index.highestSequenceNrWithoutIo("message|P2500").isEmpty(),
                    "an id only on disk is left to the replay dispatcher");
            EventLog log = new EventLog(store, null);
            assertEquals(1L, log.highestSequenceNr("message|P2500"));
            assertEquals(java.util.OptionalLong.of(1L), index.highestSequenceNrWithoutIo("message|P2500"),
                    "once read, it is in memory");
            java.util.OptionalLong old = index.highestSequenceNrWithoutIo("message|OLD");
            assertTrue(old.isEmpty() || old.getAsLong() == 2L, "never a wrong number: " + old);
        }
        JournalProbe again = start(); // and the plugin answers alike through both paths
        assertEquals(2, again.replayAll("message|OLD").highest());
        assertEquals(0, again.replayAll("message|ZNEW").highest());
    }

    @Test
    void oneCallWithSeveralAtomicWritesIsStoredInOrder() {
        JournalProbe j = start();
        List<Object> replies = j.write(
                atomic(repr("message|A", 1, new TestEvent("received", 1)), repr("message|A", 2, "two")),
                atomic(repr("message|B", 1, "b1")),
                atomic(repr("message|A", 3, new TestEvent("completed", 3))));
        assertEquals(4, replies.size());
        replies.forEach(r -> assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, r));

        JournalProbe.Replay a = j.replayAll("message|A");
        assertEquals(List.of(1L, 2L, 3L), a.seqs());
        assertEquals(List.of(new TestEvent("received", 1), "two", new TestEvent("completed", 3)), a.payloads());
        assertEquals(3, a.highest());
        assertEquals("writer-1", a.events().get(0).writerUuid());
        assertTrue(a.events().get(0).timestamp() > 0, "journal stamps the write time");
        assertEquals(List.of("b1"), j.replayAll("message|B").payloads());
    }

    @Test
    void atomicWriteIsAllOrNothingAndRejectionIsPerWrite() {
        JournalProbe j = start();
        Object unserializable = new Object(); // no serializer is bound: Java serialization is off
        List<Object> replies = j.write(
                atomic(repr("p1", 1, "ok"), repr("p1", 2, unserializable)),
                atomic(repr("p2", 1, "fine")));
        assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(0));
        assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(1));
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(2));
        JournalProbe.Replay p1 = j.replayAll("p1");
        assertEquals(List.of(), p1.events(), "no half of a rejected AtomicWrite is stored");
        assertEquals(0, p1.highest());
        assertEquals(List.of("fine"), j.replayAll("p2").payloads());
    }

    @Test
    void replayHonoursFromToAndMax() {
        JournalProbe j = start();
        for (long s = 1; s <= 10; s++) {
            j.write(atomic(repr("r", s, "e" + s)));
        }
        assertEquals(List.of(3L, 4L, 5L), j.replay("r", 3, 5, Long.MAX_VALUE).seqs());
        assertEquals(List.of(4L, 5L), j.replay("r", 4, 10, 2).seqs());
        assertEquals(List.of(1L), j.replay("r", 0, 1, 100).seqs());
        assertEquals(List.of(), j.replay("r", 11, 20, 100).seqs());
        assertEquals(List.of(), j.replay("r", 1, 10, 0).seqs());
        assertEquals(10, j.replay("r", 11, 20, 100).highest());
        assertEquals(List.of(), j.replayAll("unknown").events());
        assertEquals(0, j.replayAll("unknown").highest());
    }

    @Test
    void deleteKeepsHighestSequenceNrAlsoAfterRestart() {
        JournalProbe j = start();
        j.write(atomic(repr("d", 1, "1"), repr("d", 2, "2"), repr("d", 3, "3")));
        j.deleteTo("d", 2);
        assertEquals(List.of(3L), j.replayAll("d").seqs());
        j.deleteTo("d", Long.MAX_VALUE);
        JournalProbe.Replay afterDelete = j.replayAll("d");
        assertEquals(List.of(), afterDelete.events());
        assertEquals(3, afterDelete.highest());

        j = restart();
        JournalProbe.Replay reopened = j.replayAll("d");
        assertEquals(List.of(), reopened.events());
        assertEquals(3, reopened.highest());
        j.write(atomic(repr("d", 4, "4")));
        assertEquals(List.of(4L), j.replayAll("d").seqs());
    }

    @Test
    void eventsSurviveCloseAndReopen() {
        JournalProbe j = start();
        j.write(atomic(repr("s", 1, new TestEvent("a", 1))), atomic(repr("t", 1, "x")));
        j.write(atomic(repr("s", 2, new TestEvent("b", 2))));

        j = restart();
        JournalProbe.Replay s = j.replayAll("s");
        assertEquals(List.of(new TestEvent("a", 1), new TestEvent("b", 2)), s.payloads());
        assertEquals(2, s.highest());
        // numeric ids survive too: a new persistence id after restart does not reuse one
        j.write(atomic(repr("u", 1, "new")));
        assertEquals(List.of("x"), j.replayAll("t").payloads());
        assertEquals(List.of("new"), j.replayAll("u").payloads());
    }
}
