package org.smarthost.persistence.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postfix's {@code corrupt} queue for the store: a record that cannot be decoded (garbage bytes,
 * an event class that no longer exists, a bad key) is reported with a {@code warning:} line and
 * moved here in one atomic batch (copy, then delete the original), so recovery and queries go on
 * with the rest. Nothing is thrown away: an administrator can list the records and inspect the
 * original bytes.
 */
public final class CorruptQueue {

    private static final Logger log = LoggerFactory.getLogger("postfix/qmgr");
    private static final int MAX_TEXT = 4000;

    private final RocksStore store;

    CorruptQueue(RocksStore store) {
        this.store = store;
    }

    /**
     * Logs and moves a record aside. In a read-only store it is only logged. The returned future
     * completes when the move is on disk; callers usually do not wait for it.
     */
    public CompletableFuture<Void> moveAside(RocksStore.Family source, byte[] key, byte[] value, String name,
            String reason) {
        log.warn("warning: saving corrupt record \"{}\" from {} to queue \"corrupt\": {}", name, source.cfName(),
                reason);
        if (store.isReadOnly()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] corruptKey = Bytes.concat(Bytes.lengthPrefixed(source.cfName(), 0), key);
        byte[] corruptValue = encode(name, reason, Instant.now(), value);
        return store.commit(batch -> {
            batch.put(store.family(RocksStore.Family.CORRUPT), corruptKey, corruptValue);
            batch.delete(store.family(source), key);
            return StoreChange.NONE;
        }).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("warning: cannot move corrupt record \"{}\" aside: {}", name, e.toString());
            }
        });
    }

    /** Everything in the corrupt queue, oldest key first. */
    public List<CorruptRecord> list() {
        List<CorruptRecord> result = new ArrayList<>();
        try (RocksIterator it = store.db().newIterator(store.family(RocksStore.Family.CORRUPT))) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                result.add(decode(it.key(), it.value()));
            }
        }
        return result;
    }

    /** Removes one record from the corrupt queue (postsuper -d for corrupt entries). */
    public CompletableFuture<Void> delete(CorruptRecord record) {
        byte[] corruptKey = Bytes.concat(Bytes.lengthPrefixed(record.source(), 0), record.key());
        return store.commit(batch -> {
            batch.delete(store.family(RocksStore.Family.CORRUPT), corruptKey);
            return StoreChange.NONE;
        });
    }

    private static byte[] encode(String name, String reason, Instant savedAt, byte[] value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + 256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(1); // format version
            out.writeUTF(truncate(name));
            out.writeUTF(truncate(reason));
            out.writeLong(savedAt.toEpochMilli());
            out.write(value);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CorruptRecord decode(byte[] key, byte[] value) {
        int sourceLength = ((key[0] & 0xFF) << 8) | (key[1] & 0xFF);
        String source = new String(key, 2, sourceLength, StandardCharsets.UTF_8);
        byte[] originalKey = Arrays.copyOfRange(key, 2 + sourceLength, key.length);
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
            in.readByte();
            String name = in.readUTF();
            String reason = in.readUTF();
            Instant savedAt = Instant.ofEpochMilli(in.readLong());
            byte[] original = in.readAllBytes();
            return new CorruptRecord(source, name, reason, savedAt, originalKey, original);
        } catch (IOException e) {
            return new CorruptRecord(source, Bytes.hex(originalKey), "unreadable corrupt entry", Instant.EPOCH,
                    originalKey, value);
        }
    }

    private static String truncate(String s) {
        String t = s == null ? "" : s;
        return t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) : t;
    }
}
