package org.smarthost.persistence.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.TestEvent;
import org.smarthost.persistence.TestStores;

import com.typesafe.config.ConfigFactory;

import scala.Option;

/** The snapshot store protocol against a real RocksDB. */
class RocksSnapshotStoreTest {

    @TempDir
    Path dir;
    private ActorTestKit kit;
    private ActorRef store;
    private TestProbe<Object> probe;
    private ActorRef self;

    private void start() {
        kit = TestStores.testKit(dir);
        store = Persistence.get(Adapter.toClassic(kit.system()))
                .snapshotStoreFor("smarthost.snapshot.rocksdb", ConfigFactory.empty());
        probe = kit.createTestProbe();
        self = Adapter.toClassic(probe.ref());
    }

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    /** Saves; Pekko stamps the save time itself and reports it. */
    private long save(String pid, long seq, Object snapshot) throws InterruptedException {
        Thread.sleep(2); // distinct millisecond timestamps, for the timestamp criteria below
        store.tell(new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(pid, seq, 0), snapshot), self);
        return assertInstanceOf(SaveSnapshotSuccess.class, probe.receiveMessage(Duration.ofSeconds(10)))
                .metadata().timestamp();
    }

    private Option<SelectedSnapshot> load(String pid, SnapshotSelectionCriteria criteria) {
        store.tell(new SnapshotProtocol.LoadSnapshot(pid, criteria, Long.MAX_VALUE), self);
        Object reply = probe.receiveMessage(Duration.ofSeconds(10));
        return assertInstanceOf(SnapshotProtocol.LoadSnapshotResult.class, reply).snapshot();
    }

    @Test
    void saveLoadDeleteAndSurviveRestart() throws InterruptedException {
        start();
        long five = save("message|A", 5, new TestEvent("five", 5));
        save("message|A", 10, new TestEvent("ten", 10));
        long fifteen = save("message|A", 15, "fifteen");
        save("message|AB", 99, "other id, longer name");

        SelectedSnapshot latest = load("message|A", SnapshotSelectionCriteria.latest()).get();
        assertEquals(15, latest.metadata().sequenceNr());
        assertEquals(fifteen, latest.metadata().timestamp());
        assertEquals("fifteen", latest.snapshot());
        assertEquals(new TestEvent("ten", 10),
                load("message|A", SnapshotSelectionCriteria.create(12, Long.MAX_VALUE)).get().snapshot());
        assertEquals(new TestEvent("five", 5),
                load("message|A", SnapshotSelectionCriteria.create(Long.MAX_VALUE, five)).get().snapshot());
        assertTrue(load("message|none", SnapshotSelectionCriteria.latest()).isEmpty());

        store.tell(new SnapshotProtocol.DeleteSnapshot(new SnapshotMetadata("message|A", 15, 0)), self);
        assertInstanceOf(DeleteSnapshotSuccess.class, probe.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(10, load("message|A", SnapshotSelectionCriteria.latest()).get().metadata().sequenceNr());

        kit.shutdownTestKit();
        start();
        assertEquals(new TestEvent("ten", 10), load("message|A", SnapshotSelectionCriteria.latest()).get().snapshot());
        SnapshotSelectionCriteria upTo10 = SnapshotSelectionCriteria.create(10, Long.MAX_VALUE);
        store.tell(new SnapshotProtocol.DeleteSnapshots("message|A", upTo10), self);
        assertInstanceOf(DeleteSnapshotsSuccess.class, probe.receiveMessage(Duration.ofSeconds(10)));
        assertTrue(load("message|A", SnapshotSelectionCriteria.latest()).isEmpty());
        assertEquals("other id, longer name",
                load("message|AB", SnapshotSelectionCriteria.latest()).get().snapshot());
    }
}
