package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;

/** Every message answered with 250 survives kill -9 of the process that accepted it, mid-stream. */
class KillNineTest {

    @Test
    void acceptedMessagesSurviveSigkill() throws Exception {
        Path dir = Files.createTempDirectory("kill-nine");
        List<String> accepted = new ArrayList<>();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KillNineChild.class.getName(), dir.toString(), "1000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // kill while the child is still accepting mail
            while (accepted.size() < 10 && (line = r.readLine()) != null) {
                if (line.startsWith("250 ")) accepted.add(line.substring(4));
            }
        } finally {
            child.destroyForcibly();   // SIGKILL: no shutdown hooks, no flush
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(10, accepted.size());

        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "after", ConfigFactory.parseMap(Map.of(
                        "pekko.persistence.journal.plugin", "smarthost.journal.rocksdb",
                        "pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb",
                        "smarthost.store.dir", dir.toString()))
                .withFallback(ConfigFactory.load()));
        BodyStore bodies = BodyStore.open(dir);
        try {
            QueueSystem queue = QueueSystem.start(system, QueueSettings.defaults("mx.example", dir), bodies,
                    QueueIdGenerator.forThisProcess(), Clock.systemUTC());
            List<IndexEntry> all = queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<String> queued = all.stream().map(IndexEntry::queueId).toList();
            // every 250 is there; a message persisted just before the kill may be too
            assertEquals(accepted, queued.subList(0, accepted.size()));
            for (IndexEntry e : all) {
                try (InputStream in = bodies.open(e.queueId())) {
                    assertEquals(e.size(), in.readAllBytes().length, e.queueId());
                }
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            bodies.close();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
