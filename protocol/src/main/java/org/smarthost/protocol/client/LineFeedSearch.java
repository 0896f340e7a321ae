package org.smarthost.protocol.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the next LF in a byte array eight octets at a time. Relaying large mail scans every octet
 * of the body for line ends; Netty's ByteBuf.indexOf did the same word-at-a-time search, but its
 * per-call index and reference-count checks cost more than the search itself on ~80-octet lines.
 */
final class LineFeedSearch {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LF = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private LineFeedSearch() {
    }

    /** The index of the first '\n' in {@code a[from, to)}, or -1. */
    static int indexOf(byte[] a, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = (long) LONGS.get(a, i) ^ LF; // an LF octet is now zero
            // the lowest octet flagged is the first zero one; a flag above it may be false (borrow)
            long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
