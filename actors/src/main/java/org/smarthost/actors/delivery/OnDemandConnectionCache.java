package org.smarthost.actors.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * qmgr's decision, per destination, whether a delivery keeps its connection for the next one
 * ({@code smtp_connection_cache_on_demand}): caching comes on once deliveries run back to back
 * (one starts within a second of the previous one's end), stays on while deliveries overlap or
 * run back to back, and goes off when neither holds. A trickle of mail is delivered with a
 * connection each, closed at once; a backlog reuses connections.
 *
 * <p>Not persisted: like the busy slots, it describes the running process.
 */
final class OnDemandConnectionCache {

    private static final Duration BACK_TO_BACK = Duration.ofSeconds(1);

    private boolean caching;
    private Instant lastDone;

    /**
     * Whether the delivery starting now keeps its connection.
     *
     * @param busy deliveries in flight to the destination, the starting one included
     */
    boolean select(Instant now, int busy) {
        boolean backToBack = lastDone != null && !now.isAfter(lastDone.plus(BACK_TO_BACK));
        if (!caching) {
            // Overlapping deliveries alone do not turn it on: a burst within the initial
            // concurrency would otherwise leave idle connections behind.
            caching = backToBack;
        } else if (busy <= 1 && !backToBack) {
            caching = false;
        }
        return caching;
    }

    /** A delivery to the destination has finished. */
    void done(Instant now) {
        lastDone = now;
    }
}
