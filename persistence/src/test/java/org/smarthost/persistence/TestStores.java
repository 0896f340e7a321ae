package org.smarthost.persistence;

import java.nio.file.Path;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** An ActorTestKit whose journal, snapshot store and read journal live in a real RocksDB in {@code dir}. */
public final class TestStores {
    private TestStores() {
    }

    public static Config config(Path dir) {
        return ConfigFactory.parseString(String.join("\n",
                "smarthost.store.dir = \"" + dir.toAbsolutePath().toString().replace("\\", "\\\\") + "\"",
                "pekko.persistence.journal.plugin = \"smarthost.journal.rocksdb\"",
                "pekko.persistence.snapshot-store.plugin = \"smarthost.snapshot.rocksdb\"",
                "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
                "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
                "pekko.loglevel = WARNING",
                "smarthost.query.rocksdb.refresh-interval = 30s"))
                .withFallback(ConfigFactory.load());
    }

    public static ActorTestKit testKit(Path dir) {
        return ActorTestKit.create("store", config(dir));
    }
}
