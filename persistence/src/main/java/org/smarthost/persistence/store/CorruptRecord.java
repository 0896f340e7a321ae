package org.smarthost.persistence.store;

import java.time.Instant;

/**
 * A record moved to the {@code corrupt} queue.
 *
 * @param source the column family it came from ("journal", "tags", "snapshots", ...)
 * @param name   what it was, e.g. {@code message|4Xyz seq 3}
 * @param reason why it could not be read
 * @param savedAt when it was moved aside
 * @param key    its original key
 * @param value  its original bytes, untouched
 */
public record CorruptRecord(String source, String name, String reason, Instant savedAt, byte[] key, byte[] value) {
}
