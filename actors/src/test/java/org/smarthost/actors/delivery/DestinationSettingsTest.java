package org.smarthost.actors.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationSettingsTest {

    @Test
    void postfixDefaults() {
        DestinationSettings smtp = DestinationSettings.forTransport("smtp", Map.of());
        assertEquals(5, smtp.initialConcurrency());
        assertEquals(20, smtp.concurrencyLimit());
        assertEquals(new Feedback(1, false), smtp.positiveFeedback());
        assertEquals(new Feedback(1, false), smtp.negativeFeedback());
        assertEquals(1, smtp.failedCohortLimit());
        assertEquals(Duration.ZERO, smtp.rateDelay());
        assertEquals(Duration.ofSeconds(300), smtp.deadRetryDelay());
        assertEquals(smtp, DestinationSettings.defaults());
        DestinationSettings local = DestinationSettings.forTransport("local", Map.of());
        assertEquals(2, local.concurrencyLimit(), "local_destination_concurrency_limit = 2");
        assertEquals(2, local.initialConcurrency(), "initial concurrency never exceeds the limit");
    }

    @Test
    void perTransportOverridesWin() {
        Map<String, String> mainCf = Map.of(
                "default_destination_concurrency_limit", "30",
                "relay_destination_concurrency_limit", "4",
                "default_destination_concurrency_positive_feedback", "1/concurrency",
                "relay_destination_concurrency_negative_feedback", "1 / concurrency",
                "relay_destination_concurrency_failed_cohort_limit", "10",
                "minimal_backoff_time", "10m",
                "destination_concurrency_feedback_debug", "yes");
        DestinationSettings relay = DestinationSettings.forTransport("relay", mainCf);
        assertEquals(4, relay.concurrencyLimit());
        assertEquals(4, relay.initialConcurrency());
        assertEquals(new Feedback(1, true), relay.positiveFeedback());
        assertEquals(new Feedback(1, true), relay.negativeFeedback());
        assertEquals(10, relay.failedCohortLimit());
        assertEquals(Duration.ofMinutes(10), relay.deadRetryDelay());
        assertTrue(relay.feedbackDebug());
        assertEquals(30, DestinationSettings.forTransport("smtp", mainCf).concurrencyLimit());
        assertEquals(0.25, relay.negativeFeedback().at(4), 1e-12);
    }

    @Test
    void rateDelayMeansOneAtATime() {
        DestinationSettings slow = DestinationSettings.forTransport("slow", Map.of("slow_destination_rate_delay", "2s"));
        assertEquals(Duration.ofSeconds(2), slow.rateDelay());
        assertEquals(1, slow.concurrencyLimit());
        assertEquals(1, slow.initialConcurrency());
    }

    @Test
    void timeUnitsAndBadValues() {
        assertEquals(Duration.ofSeconds(45), DestinationSettings.parseTime("x", "45"));
        assertEquals(Duration.ofHours(3), DestinationSettings.parseTime("x", "3h"));
        assertEquals(Duration.ofDays(14), DestinationSettings.parseTime("x", "2w"));
        assertThrows(IllegalArgumentException.class, () -> DestinationSettings.parseTime("x", "soon"));
        assertThrows(IllegalArgumentException.class, () -> Feedback.parse("x", "2"));
        assertThrows(IllegalArgumentException.class, () -> Feedback.parse("x", "lots/concurrency"));
    }
}
