package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PekkoSettingsTest {

    /**
     * A cancelled timeout (ask, journal circuit breaker, recovery timer) stays on the heap until
     * the scheduler's wheel comes round to it; that turn must be shorter than the ~1 s between
     * young collections under load, or those objects are copied again and again.
     */
    @Test
    void schedulerWheelTurnsWithinHalfASecond(@TempDir Path dir) {
        Config config = PekkoSettings.build(dir.resolve("db"), false);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "settings-test", config);
        try {
            Config running = system.settings().config();
            Duration turn = running.getDuration("pekko.scheduler.tick-duration")
                    .multipliedBy(running.getInt("pekko.scheduler.ticks-per-wheel"));
            assertTrue(turn.compareTo(Duration.ofMillis(500)) <= 0, "one turn of the wheel takes " + turn);
            assertEquals(Duration.ofMillis(10), running.getDuration("pekko.scheduler.tick-duration"),
                    "a shorter tick would wake the scheduler thread more often");
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }
}
