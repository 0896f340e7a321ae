package org.smarthost.actors.delivery;

import java.time.Instant;
import org.smarthost.persistence.CborSerializable;

/**
 * The persisted part of a destination: Postfix's per-queue concurrency window with its
 * feedback hysteresis counters, and the dead (throttled) status.
 *
 * @param deadUntil null while the destination is alive
 * @param deadSince when it died; null while alive, and for a death recorded without it
 */
public record DestinationState(int window, double success, double failure, double failCohorts,
                               Instant deadUntil, String deadStatus, String deadReason, Instant deadSince)
        implements CborSerializable {

    public static DestinationState initial(int window) {
        return new DestinationState(window, 0, 0, 0, null, null, null, null);
    }

    /** Whether it died before {@code flushedAt} (a death of unknown time counts as before). */
    public boolean deadBefore(Instant flushedAt) {
        return dead() && (deadSince == null || !deadSince.isAfter(flushedAt));
    }

    public boolean dead() {
        return deadUntil != null;
    }

    DestinationState apply(DestinationEvent event) {
        if (event instanceof DestinationEvent.ConcurrencyChanged c) {
            return new DestinationState(c.window(), c.success(), c.failure(), c.failCohorts(), null, null, null, null);
        }
        if (event instanceof DestinationEvent.DestinationDead d) {
            return new DestinationState(0, success, failure, failCohorts, d.until(), d.dsnStatus(), d.reason(), d.since());
        }
        if (event instanceof DestinationEvent.DestinationRecovered r) {
            return new DestinationState(r.window(), 0, 0, 0, null, null, null, null);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }
}
