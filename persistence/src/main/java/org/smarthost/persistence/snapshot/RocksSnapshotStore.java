package org.smarthost.persistence.snapshot;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;
import org.smarthost.persistence.serialization.RecordCodec;
import org.smarthost.persistence.serialization.UnreadableRecordException;
import org.smarthost.persistence.store.Bytes;
import org.smarthost.persistence.store.RocksStore;
import org.smarthost.persistence.store.RocksStore.Family;
import org.smarthost.persistence.store.StoreChange;

import com.typesafe.config.Config;

import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Snapshot store plugin {@code smarthost.snapshot.rocksdb}: the {@code snapshots} column family,
 * key (persistence id, sequence nr), value (timestamp, Pekko snapshot envelope). Saves go through
 * the synced group commit. A snapshot that cannot be read is moved to the corrupt queue and the
 * next older one is tried, so recovery falls back to more event replay instead of failing.
 */
public final class RocksSnapshotStore extends SnapshotStore {

    private final RocksStore store;
    private final RecordCodec codec;
    private final ColumnFamilyHandle snapshots;
    private final Executor executor;

    public RocksSnapshotStore(Config config) {
        this.store = RocksStore.fromConfig(context().system().settings().config());
        this.codec = RecordCodec.of(context().system());
        this.snapshots = store.family(Family.SNAPSHOTS);
        this.executor = context().dispatcher();
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return FutureConverters.asScala(CompletableFuture.supplyAsync(() -> load(persistenceId, criteria), executor));
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        CompletableFuture<Void> done;
        try {
            byte[] payload = codec.encodeSnapshot(snapshot);
            byte[] value = ByteBuffer.allocate(8 + payload.length).putLong(metadata.timestamp()).put(payload).array();
            byte[] key = key(metadata.persistenceId(), metadata.sequenceNr());
            done = store.commit(batch -> {
                batch.put(snapshots, key, value);
                return StoreChange.NONE;
            });
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return FutureConverters.asScala(done);
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        byte[] key = key(metadata.persistenceId(), metadata.sequenceNr());
        return FutureConverters.asScala(store.commit(batch -> {
            batch.delete(snapshots, key);
            return StoreChange.NONE;
        }));
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return FutureConverters.asScala(CompletableFuture.supplyAsync(() -> matching(persistenceId, criteria), executor)
                .thenCompose(keys -> store.commit(batch -> {
                    for (byte[] k : keys) {
                        batch.delete(snapshots, k);
                    }
                    return StoreChange.NONE;
                })));
    }

    private Optional<SelectedSnapshot> load(String persistenceId, SnapshotSelectionCriteria criteria) {
        byte[] prefix = Bytes.lengthPrefixed(persistenceId, 0);
        try (RocksIterator it = store.db().newIterator(snapshots)) {
            // newest first: seek to the highest allowed sequence nr and walk back
            it.seekForPrev(key(persistenceId, criteria.maxSequenceNr()));
            for (; it.isValid(); it.prev()) {
                byte[] key = it.key();
                if (!Bytes.startsWith(key, prefix) || key.length != prefix.length + 8) {
                    break;
                }
                long seq = Bytes.toLong(key, prefix.length);
                if (seq < criteria.minSequenceNr()) {
                    break;
                }
                byte[] value = it.value();
                String name = persistenceId + " snapshot " + seq;
                if (value.length < 8) {
                    store.corrupt().moveAside(Family.SNAPSHOTS, key, value, name, "truncated snapshot");
                    continue;
                }
                long timestamp = Bytes.toLong(value, 0);
                SnapshotMetadata metadata = new SnapshotMetadata(persistenceId, seq, timestamp);
                if (!criteria.matches(metadata)) {
                    continue;
                }
                byte[] payload = new byte[value.length - 8];
                System.arraycopy(value, 8, payload, 0, payload.length);
                try {
                    return Optional.of(SelectedSnapshot.create(metadata, codec.decodeSnapshot(payload)));
                } catch (UnreadableRecordException e) {
                    store.corrupt().moveAside(Family.SNAPSHOTS, key, value, name, e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    private List<byte[]> matching(String persistenceId, SnapshotSelectionCriteria criteria) {
        List<byte[]> keys = new ArrayList<>();
        byte[] prefix = Bytes.lengthPrefixed(persistenceId, 0);
        try (RocksIterator it = store.db().newIterator(snapshots)) {
            it.seek(key(persistenceId, Math.max(0, criteria.minSequenceNr())));
            for (; it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!Bytes.startsWith(key, prefix) || key.length != prefix.length + 8) {
                    break;
                }
                long seq = Bytes.toLong(key, prefix.length);
                if (seq > criteria.maxSequenceNr()) {
                    break;
                }
                byte[] value = it.value();
                long timestamp = value.length >= 8 ? Bytes.toLong(value, 0) : 0L;
                if (criteria.matches(new SnapshotMetadata(persistenceId, seq, timestamp))) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    private static byte[] key(String persistenceId, long sequenceNr) {
        byte[] k = Bytes.lengthPrefixed(persistenceId, 8);
        ByteBuffer.wrap(k).position(k.length - 8).putLong(sequenceNr);
        return k;
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
