package org.smarthost.persistence.journal;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.smarthost.persistence.serialization.RecordCodec;
import org.smarthost.persistence.store.RocksStore;

import com.typesafe.config.Config;

import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko persistence journal plugin {@code smarthost.journal.rocksdb} on the shared
 * {@link RocksStore} at {@code smarthost.store.dir}.
 *
 * <p>Writes do not block this actor: they are serialized here (so a bad event rejects only its
 * own AtomicWrite) and handed to the store's group committer, which puts every AtomicWrite of
 * every pending call into ONE WriteBatch written with {@code sync=true} — so while one fsync is
 * running, the next batch collects writes from all the other MessageActors: one fsync for many
 * sessions. Replays, and highest-sequence-number reads that would touch the disk, run on the
 * replay dispatcher.
 */
public final class RocksJournal extends AsyncWriteJournal {

    private final RocksStore store;
    private final EventLog log;
    private final Executor replayExecutor;

    public RocksJournal(Config config) {
        this.store = RocksStore.fromConfig(context().system().settings().config());
        this.log = new EventLog(store, RecordCodec.of(context().system()));
        this.replayExecutor = context().system().dispatchers().lookup(config.getString("replay-dispatcher"));
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        return FutureConverters.asScala(log.write(messages).thenApply(results -> results));
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return FutureConverters.asScala(log.deleteTo(persistenceId, toSequenceNr));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr,
            long max, Consumer<PersistentRepr> replayCallback) {
        return FutureConverters.asScala(CompletableFuture.runAsync(
                () -> log.replay(persistenceId, fromSequenceNr, toSequenceNr, max, replayCallback), replayExecutor));
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        // Every received message's actor is started at its first RCPT, and for a new message this
        // read is its whole recovery: answered from memory here, it saves a hand-off to the replay
        // dispatcher and back on the way to each 250.
        OptionalLong known = log.highestSequenceNrWithoutIo(persistenceId);
        if (known.isPresent()) return FutureConverters.asScala(CompletableFuture.completedFuture(known.getAsLong()));
        return FutureConverters.asScala(
                CompletableFuture.supplyAsync(() -> log.highestSequenceNr(persistenceId), replayExecutor));
    }

    @Override
    public void postStop() throws Exception {
        try {
            super.postStop();
        } finally {
            store.close();
        }
    }
}
