package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smarthost.actors.queue.TestMessages.attempt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.MessageHeld;
import org.smarthost.persistence.queue.QueueEvent;

/** The saved index on disk: read back whole, or refused when damaged or not this journal's. */
class IndexSnapshotFileTest {

    @TempDir
    Path dir;

    @Test
    void aSavedIndexReadsBackAsItWasWritten() throws IOException {
        Files.writeString(dir.resolve("IDENTITY"), "9488fd9c-8149-41a0-b76c-b7be1b90b0c5\n");
        IndexSnapshot saved = sample();
        IndexSnapshotFile file = IndexSnapshotFile.in(dir);
        file.write(saved);
        assertFalse(Files.exists(dir.resolve("qmgr.index.tmp")), "written under a temporary name, then renamed");

        IndexSnapshot read = file.read().orElseThrow();
        assertEquals(saved.policy(), read.policy());
        assertEquals(saved.afterOffset(), read.afterOffset());
        assertEquals(saved.unresolved(), read.unresolved());
        assertEquals(saved.entries().size(), read.entries().size());
        for (int i = 0; i < saved.entries().size(); i++) {
            IndexRestoreTest.assertSameEntry(saved.entries().get(i).entry(), read.entries().get(i).entry());
            assertEquals(saved.entries().get(i).firstOffset(), read.entries().get(i).firstOffset());
        }
        String reason = read.entries().stream().filter(e -> e.entry().queueId().equals("6A2")).findFirst()
                .orElseThrow().entry().reasons()[0];
        assertTrue(reason.length() > 70_000, "longer than writeUTF allows");
    }

    @Test
    void noFileMeansNoSnapshot() throws IOException {
        assertEquals(Optional.empty(), IndexSnapshotFile.in(dir).read());
    }

    @Test
    void aSnapshotOfAnotherJournalIsNotBelieved() throws IOException {
        Files.writeString(dir.resolve("IDENTITY"), "journal-one");
        IndexSnapshotFile.in(dir).write(sample());
        Files.writeString(dir.resolve("IDENTITY"), "journal-two"); // the database was removed and made anew
        assertEquals(Optional.empty(), IndexSnapshotFile.in(dir).read());
    }

    @Test
    void aDamagedOrTruncatedFileIsAnErrorNotASnapshot() throws IOException {
        IndexSnapshotFile file = IndexSnapshotFile.in(dir);
        file.write(sample());
        byte[] good = Files.readAllBytes(file.path());

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x20;
        Files.write(file.path(), flipped);
        assertTrue(assertThrows(IOException.class, file::read).getMessage().contains("checksum"));

        for (int cut : new int[] {good.length - 3, good.length / 3, 10, 0}) {
            Files.write(file.path(), java.util.Arrays.copyOf(good, cut));
            assertThrows(IOException.class, file::read, "cut at " + cut);
        }
    }

    private static IndexSnapshot sample() {
        String longReply = "451 4.3.0 " + "x".repeat(70_000);
        List<QueueEvent> events = new ArrayList<>(List.of(
                TestMessages.received("6A1", "s@example.org", "a@example.net", "b@example.net"),
                TestMessages.received("6A2", "", "c@example.net"),
                attempt("6A2", 1, "c@example.net", DeliveryAttempted.Outcome.DEFERRED, longReply),
                TestMessages.received("6A3", "s@example.org", "d@example.net"),
                new MessageHeld("6A3", Instant.parse("2026-11-25T17:10:00Z"), "postsuper -h")));
        IndexSnapshot s = IndexRestoreTest.save(events);
        Map<String, Long> unresolved = new HashMap<>(Map.of("6A9", 17L));
        return new IndexSnapshot(s.policy(), s.afterOffset(), s.entries(), unresolved);
    }
}
