package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class LineFeedSearchTest {

    private static int naive(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == '\n') return i;
        }
        return -1;
    }

    @Test
    void findsTheFirstLineFeedInEveryRangeOfArraysDenseAndSparseInLineFeeds() {
        Random random = new Random(42);
        for (int density : new int[] {2, 9, 80, 1000}) {
            byte[] a = new byte[100];
            for (int i = 0; i < a.length; i++) {
                // every octet value occurs, including the neighbours of LF (0x09, 0x0B) and 0x8A
                a[i] = random.nextInt(density) == 0 ? (byte) '\n' : (byte) random.nextInt(256);
            }
            for (int from = 0; from <= a.length; from++) {
                for (int to = from; to <= a.length; to++) {
                    assertEquals(naive(a, from, to), LineFeedSearch.indexOf(a, from, to),
                            "density " + density + " range " + from + ".." + to);
                }
            }
        }
    }

    @Test
    void octetsThatBorrowInTheWordTrickAreNotLineFeeds() {
        // 0x0B just above an LF, and 0x8A/0x0A pairs, are where a word-at-a-time search can misfire
        byte[] a = {0x0B, 0x0B, (byte) 0x8A, 0x09, 0x0B, 0x0A, 0x0B, 0x0A, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B};
        assertEquals(5, LineFeedSearch.indexOf(a, 0, a.length));
        assertEquals(7, LineFeedSearch.indexOf(a, 6, a.length));
        assertEquals(-1, LineFeedSearch.indexOf(a, 8, a.length));
        assertEquals(-1, LineFeedSearch.indexOf(new byte[0], 0, 0));
    }
}
