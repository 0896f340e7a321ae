package org.smarthost.actors.delivery;

import java.time.Instant;
import org.smarthost.persistence.CborSerializable;

/**
 * Persisted events of a {@link DestinationActor} (persistenceId destination|transport:nexthop).
 * Only the concurrency scheduler's state is persisted; the list of waiting jobs is rebuilt
 * from the messages after a restart.
 */
public sealed interface DestinationEvent extends CborSerializable {

    /**
     * Concurrency feedback moved the window or its hysteresis counters (Postfix qmgr_queue
     * window/success/failure/fail_cohorts).
     */
    record ConcurrencyChanged(int window, double success, double failure, double failCohorts)
            implements DestinationEvent { }

    /**
     * The failed cohort limit was reached: deliveries are suspended until {@code until};
     * jobs meanwhile are deferred with "delivery temporarily suspended: {@code reason}".
     *
     * @param since when it died, so that a flush ("postqueue -f") reaches a destination that was
     *              passivated before it: null in events written before this was recorded
     */
    record DestinationDead(Instant until, String dsnStatus, String reason, Instant since)
            implements DestinationEvent { }

    /** Suspension ended (timer, a delivery in flight succeeded, or a flush), with this window. */
    record DestinationRecovered(int window) implements DestinationEvent { }
}
