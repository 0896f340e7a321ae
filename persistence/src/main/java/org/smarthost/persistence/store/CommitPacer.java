package org.smarthost.persistence.store;

/**
 * How long the group commit holds a batch open before its fsync, so that writes arriving just
 * after it share that fsync instead of each paying for one.
 *
 * <p>Without a hold a batch only gathers the writes queued while the previous fsync ran. When
 * the disk syncs fast, that is about one write per fsync even at thousands of writes a second,
 * and each fsync costs CPU (the block layer, the file system's journal, on a VM an exit to the
 * hypervisor per request) that the SMTP sessions on the same cores then wait for. A batch is
 * therefore held for up to {@code window} after its first write was submitted, but only while
 * writes arrive fast enough that at least one more is expected within that window: at a low rate
 * a hold would only add latency, as nothing would join the batch. The rate is the number of
 * writes committed over the last measuring period, idle time included.
 *
 * <p>Not thread-safe: used by the commit thread only. Times are {@link System#nanoTime()} values.
 */
final class CommitPacer {

    /** Held at most this long after a batch's first write was submitted. */
    static final long DEFAULT_WINDOW_NANOS = 1_000_000L;
    /** The arrival rate is measured over periods of this length. */
    static final long DEFAULT_PERIOD_NANOS = 50_000_000L;

    private final long windowNanos;
    private final long periodNanos;
    private long periodStart;
    private long periodParts;
    /** Writes per window measured over the last complete period. */
    private double partsPerWindow;

    CommitPacer(long windowNanos, long periodNanos, long now) {
        if (windowNanos < 0 || periodNanos <= 0) {
            throw new IllegalArgumentException("window must be >= 0 and period > 0");
        }
        this.windowNanos = windowNanos;
        this.periodNanos = periodNanos;
        this.periodStart = now;
    }

    static CommitPacer standard() {
        return new CommitPacer(DEFAULT_WINDOW_NANOS, DEFAULT_PERIOD_NANOS, System.nanoTime());
    }

    /**
     * The time until which to hold a batch whose first write was submitted at
     * {@code firstSubmitted}; {@code now} or earlier means commit at once.
     */
    long holdUntil(long firstSubmitted, long now) {
        roll(now);
        if (partsPerWindow < 1.0) { // also with a zero window, whose measured rate is always 0
            return now;
        }
        return firstSubmitted + windowNanos;
    }

    /** Counts the writes of a batch just committed. */
    void committed(int parts, long now) {
        roll(now);
        periodParts += parts;
    }

    private void roll(long now) {
        long elapsed = now - periodStart;
        if (elapsed >= periodNanos) {
            partsPerWindow = (double) periodParts * windowNanos / elapsed;
            periodParts = 0;
            periodStart = now;
        }
    }
}
