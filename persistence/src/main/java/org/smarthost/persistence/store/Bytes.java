package org.smarthost.persistence.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Big-endian key encoding: unsigned byte order equals numeric order for non-negative longs. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] longs(long a, long b) {
        return ByteBuffer.allocate(16).putLong(a).putLong(b).array();
    }

    public static byte[] ofLong(long a) {
        return ByteBuffer.allocate(8).putLong(a).array();
    }

    public static long toLong(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes, offset, 8).getLong();
    }

    /** A string prefixed with its two-byte length, so that one string is never a prefix of another key. */
    public static byte[] lengthPrefixed(String s, int extra) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("key string too long: " + utf8.length + " bytes");
        }
        return ByteBuffer.allocate(2 + utf8.length + extra).putShort((short) utf8.length).put(utf8).array();
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    public static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
