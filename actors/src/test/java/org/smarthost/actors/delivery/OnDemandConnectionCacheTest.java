package org.smarthost.actors.delivery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OnDemandConnectionCacheTest {

    private static final Instant T0 = Instant.parse("2026-11-27T00:00:00Z");

    private static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    @Test
    void aTrickleOfMailIsDeliveredWithoutCaching() {
        OnDemandConnectionCache cache = new OnDemandConnectionCache();
        assertFalse(cache.select(at(0), 1), "the first delivery");
        cache.done(at(0.2));
        assertFalse(cache.select(at(5), 1), "five seconds later: not back to back");
        cache.done(at(5.1));
        assertFalse(cache.select(at(9), 1));
    }

    @Test
    void aBurstWithinTheInitialConcurrencyDoesNotTurnCachingOn() {
        OnDemandConnectionCache cache = new OnDemandConnectionCache();
        assertFalse(cache.select(at(0), 1));
        assertFalse(cache.select(at(0), 2), "overlapping deliveries alone do not turn it on");
        assertFalse(cache.select(at(0), 3));
    }

    @Test
    void backToBackDeliveriesTurnItOnUntilTheyNeitherOverlapNorFollowEachOther() {
        OnDemandConnectionCache cache = new OnDemandConnectionCache();
        assertFalse(cache.select(at(0), 1));
        cache.done(at(0.5));
        assertTrue(cache.select(at(0.6), 1), "started within a second of the last one's end");
        assertTrue(cache.select(at(0.7), 2));
        cache.done(at(0.8));
        assertTrue(cache.select(at(3), 2), "still on while deliveries overlap");
        cache.done(at(3.5));
        cache.done(at(3.6));
        assertFalse(cache.select(at(8), 1), "off: alone, and the last one ended seconds ago");
        assertFalse(cache.select(at(8), 2), "and overlapping alone does not turn it on again");
    }
}
