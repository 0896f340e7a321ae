package org.smarthost.persistence.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * Postfix's retry schedule for deferred mail. After a deferral qmgr sets the next attempt to
 * the deferral time plus the message's age, clamped to [minimal_backoff_time,
 * maximal_backoff_time]; because each attempt happens roughly one backoff after the previous
 * one, the age and thus the interval double on every attempt (300s, 300s, 600s, 1200s, ... up
 * to the maximum with the defaults). Pure computation, so a restart resumes the same schedule.
 *
 * @param minimalBackoff      minimal_backoff_time (default 300s)
 * @param maximalBackoff      maximal_backoff_time (default 4000s)
 * @param maximalQueueLifetime maximal_queue_lifetime (default 5d)
 * @param bounceQueueLifetime  bounce_queue_lifetime (default 5d), for null-sender mail
 */
public record BackoffPolicy(Duration minimalBackoff, Duration maximalBackoff,
                           Duration maximalQueueLifetime, Duration bounceQueueLifetime) {

    public static final BackoffPolicy POSTFIX_DEFAULTS = new BackoffPolicy(
            Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofDays(5), Duration.ofDays(5));

    public BackoffPolicy {
        if (minimalBackoff.isNegative() || maximalBackoff.compareTo(minimalBackoff) < 0) {
            throw new IllegalArgumentException(
                    "maximal_backoff_time must not be less than minimal_backoff_time");
        }
    }

    /** The backoff interval applied after a deferral at {@code deferredAt}. */
    public Duration backoff(Instant arrival, Instant deferredAt) {
        Duration age = Duration.between(arrival, deferredAt);
        if (age.compareTo(minimalBackoff) < 0) return minimalBackoff;
        if (age.compareTo(maximalBackoff) > 0) return maximalBackoff;
        return age;
    }

    /** The earliest time of the next attempt after a deferral at {@code deferredAt}. */
    public Instant nextAttempt(Instant arrival, Instant deferredAt) {
        return deferredAt.plus(backoff(arrival, deferredAt));
    }

    /** When the message must be returned as undeliverable (nullSender: bounce_queue_lifetime). */
    public Instant expiresAt(Instant arrival, boolean nullSender) {
        return arrival.plus(nullSender ? bounceQueueLifetime : maximalQueueLifetime);
    }
}
