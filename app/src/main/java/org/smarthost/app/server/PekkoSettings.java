package org.smarthost.app.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Pekko's settings, derived from main.cf. Users configure smarthost through main.cf only; the
 * HOCON here is an implementation detail. Library defaults (reference.conf of Pekko and of the
 * persistence module's journal plugin) stay underneath.
 */
final class PekkoSettings {

    static final String JOURNAL_PLUGIN = "smarthost.journal.rocksdb";
    static final String SNAPSHOT_PLUGIN = "smarthost.snapshot.rocksdb";

    private PekkoSettings() {
    }

    /**
     * @param storeDirectory where the RocksDB journal lives: ${queue_directory}/db
     * @param verbose        -v: Pekko's own debug messages go to the internal log
     */
    static Config build(Path storeDirectory, boolean verbose) {
        Map<String, Object> settings = Map.ofEntries(
                Map.entry("pekko.loggers", java.util.List.of("org.apache.pekko.event.slf4j.Slf4jLogger")),
                Map.entry("pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"),
                Map.entry("pekko.loglevel", verbose ? "DEBUG" : "INFO"),
                Map.entry("pekko.stdout-loglevel", "OFF"),
                Map.entry("pekko.log-dead-letters", "off"),
                Map.entry("pekko.log-dead-letters-during-shutdown", "off"),
                Map.entry("pekko.actor.provider", "local"),
                // One dispatcher thread per core (Pekko's floor is 8): nothing blocks on it, and on
                // a small host the extra threads only park and unpark between messages.
                Map.entry("pekko.actor.default-dispatcher.fork-join-executor.parallelism-min", 2),
                // Every ask, journal write (its circuit breaker) and actor recovery schedules a
                // timeout that is cancelled within milliseconds, but the scheduler only drops a
                // cancelled task when its wheel next reaches the task's bucket: up to one turn
                // later. Pekko's 512 x 10 ms wheel kept each for 3.7-4.9 s, long enough to be
                // copied by three or four young collections (70,000 of them, most of what
                // survived, at 1,750 msgs/s); a 320 ms turn lets them die young.
                Map.entry("pekko.scheduler.ticks-per-wheel", 32),
                // shutdown order is ours (SmarthostServer): services first, then the journal
                Map.entry("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"),
                Map.entry("pekko.coordinated-shutdown.exit-jvm", "off"),
                Map.entry("pekko.persistence.journal.plugin", JOURNAL_PLUGIN),
                Map.entry("pekko.persistence.snapshot-store.plugin", SNAPSHOT_PLUGIN),
                Map.entry("smarthost.store.dir", storeDirectory.toString()));
        return ConfigFactory.parseMap(settings, "main.cf").withFallback(ConfigFactory.load());
    }
}
