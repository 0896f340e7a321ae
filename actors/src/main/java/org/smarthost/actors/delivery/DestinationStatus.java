package org.smarthost.actors.delivery;

import java.time.Instant;
import org.smarthost.persistence.CborSerializable;

/**
 * A snapshot of one destination for tools and tests (qshape-like views).
 *
 * @param destination transport:nexthop
 * @param window      current concurrency window (0 while dead)
 * @param limit       destination concurrency limit (0 = none)
 * @param busy        deliveries in progress
 * @param waiting     jobs waiting for a slot
 * @param deadUntil   end of the suspension, or null
 * @param deadReason  why it is suspended, or null
 */
public record DestinationStatus(String destination, int window, int limit, int busy, int waiting,
                                double success, double failure, double failCohorts,
                                Instant deadUntil, String deadReason) implements CborSerializable {

    public boolean dead() {
        return deadUntil != null;
    }
}
