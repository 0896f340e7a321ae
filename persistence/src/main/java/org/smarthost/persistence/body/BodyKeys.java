package org.smarthost.persistence.body;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Body keys: queue id, a NUL, then the chunk number (big-endian), so one body's chunks are adjacent and in order. */
final class BodyKeys {
    private BodyKeys() {
    }

    static byte[] chunk(String queueId, int chunk) {
        byte[] id = validate(queueId);
        return ByteBuffer.allocate(id.length + 5).put(id).put((byte) 0).putInt(chunk).array();
    }

    /** The first key after every chunk of {@code queueId}. */
    static byte[] end(String queueId) {
        byte[] id = validate(queueId);
        return ByteBuffer.allocate(id.length + 1).put(id).put((byte) 1).array();
    }

    static String queueId(byte[] key) {
        return new String(key, 0, key.length - 5, StandardCharsets.UTF_8);
    }

    private static byte[] validate(String queueId) {
        if (queueId == null || queueId.isEmpty() || queueId.indexOf('\0') >= 0 || queueId.indexOf('\1') >= 0) {
            throw new IllegalArgumentException("bad queue id: " + queueId);
        }
        return queueId.getBytes(StandardCharsets.US_ASCII);
    }
}
