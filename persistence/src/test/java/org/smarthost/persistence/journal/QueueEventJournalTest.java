package org.smarthost.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.smarthost.persistence.JournalProbe.atomic;
import static org.smarthost.persistence.JournalProbe.repr;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.journal.Tagged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.JournalProbe;
import org.smarthost.persistence.TestStores;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.QueueEvent;

/** The seam with the queue events: a CborSerializable record through the journal and back, across a restart. */
class QueueEventJournalTest {

    @TempDir
    Path dir;
    private ActorTestKit kit;

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void queueEventsRoundTripThroughJacksonCbor() {
        kit = TestStores.testKit(dir);
        MessageCompleted done = new MessageCompleted("4XyzQ1", Instant.parse("2026-01-02T03:04:05.678Z"));
        new JournalProbe(kit).write(atomic(repr(QueueEvent.persistenceId("4XyzQ1"), 1,
                new Tagged(done, Set.of(QueueEvent.TAG)))));
        kit.shutdownTestKit();
        kit = TestStores.testKit(dir);
        assertEquals(List.of(done), new JournalProbe(kit).replayAll("message|4XyzQ1").payloads());
    }
}
