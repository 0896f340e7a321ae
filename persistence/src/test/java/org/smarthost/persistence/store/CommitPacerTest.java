package org.smarthost.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The hold decision on a made-up clock: nanoTime values are passed in. */
class CommitPacerTest {

    private static final long MS = 1_000_000L;
    private static final long WINDOW = MS;
    private static final long PERIOD = 50 * MS;

    @Test
    void aFreshPacerCommitsAtOnce() {
        CommitPacer pacer = new CommitPacer(WINDOW, PERIOD, 0);
        assertEquals(10 * MS, pacer.holdUntil(10 * MS, 10 * MS));
    }

    @Test
    void holdsUntilOneWindowAfterTheFirstWriteWhenMoreThanOneWriteArrivesPerWindow() {
        CommitPacer pacer = new CommitPacer(WINDOW, PERIOD, 0);
        // 100 writes in the first 50 ms: 2 per millisecond
        for (int i = 1; i <= 50; i++) {
            pacer.committed(2, i * MS - 1);
        }
        long first = 50 * MS;
        assertEquals(first + WINDOW, pacer.holdUntil(first, first + 100_000));
        // a write that already waited a window (behind the previous fsync) is not held again
        long late = first + WINDOW;
        assertEquals(first + WINDOW, pacer.holdUntil(first, late), "deadline in the past: commit now");
    }

    @Test
    void doesNotHoldWhenLessThanOneWriteArrivesPerWindow() {
        CommitPacer pacer = new CommitPacer(WINDOW, PERIOD, 0);
        // 40 writes in 50 ms: 0.8 per window, so a hold would gather nothing on average
        for (int i = 1; i <= 40; i++) {
            pacer.committed(1, i * MS);
        }
        long now = 51 * MS;
        assertEquals(now, pacer.holdUntil(now, now));
    }

    @Test
    void idleTimeCountsSoTheFirstWriteAfterAPauseIsNotHeld() {
        CommitPacer pacer = new CommitPacer(WINDOW, PERIOD, 0);
        for (int i = 0; i < 50; i++) {
            pacer.committed(5, i * MS);
        }
        // busy period measured: writes are held
        assertEquals(51 * MS, pacer.holdUntil(50 * MS, 50 * MS));
        pacer.committed(1, 50 * MS);
        // ten seconds without a write: one write in 10 s is no reason to wait
        long now = 10_050 * MS;
        assertEquals(now, pacer.holdUntil(now, now));
    }

    @Test
    void aZeroWindowNeverHolds() {
        CommitPacer pacer = new CommitPacer(0, PERIOD, 0);
        for (int i = 0; i < 50; i++) {
            pacer.committed(100, i * MS);
        }
        assertEquals(60 * MS, pacer.holdUntil(60 * MS, 60 * MS));
    }

    @Test
    void rejectsANegativeWindow() {
        assertThrows(IllegalArgumentException.class, () -> new CommitPacer(-1, PERIOD, 0));
    }
}
