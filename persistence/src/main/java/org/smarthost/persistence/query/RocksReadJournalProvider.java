package org.smarthost.persistence.query;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;
import org.smarthost.persistence.journal.EventLog;
import org.smarthost.persistence.serialization.RecordCodec;
import org.smarthost.persistence.store.RocksStore;

import com.typesafe.config.Config;

/** Creates {@link RocksReadJournal} for {@code smarthost.query.rocksdb}; the Java DSL is the only one. */
public final class RocksReadJournalProvider implements ReadJournalProvider {

    private final RocksReadJournal javadsl;

    public RocksReadJournalProvider(ExtendedActorSystem system, Config config) {
        RocksStore store = RocksStore.fromConfig(system.settings().config());
        system.registerOnTermination(store::close);
        this.javadsl = new RocksReadJournal(store, new EventLog(store, RecordCodec.of(system)),
                config.getDuration("refresh-interval"), config.getInt("max-buffer-size"));
    }

    @Override
    public org.apache.pekko.persistence.query.scaladsl.ReadJournal scaladslReadJournal() {
        // Pekko asks for both DSLs; this project is Java-only, so the Scala side offers no queries.
        return new org.apache.pekko.persistence.query.scaladsl.ReadJournal() {
        };
    }

    @Override
    public org.apache.pekko.persistence.query.javadsl.ReadJournal javadslReadJournal() {
        return javadsl;
    }
}
