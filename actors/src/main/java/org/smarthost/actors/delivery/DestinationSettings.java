package org.smarthost.actors.delivery;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The qmgr(8) concurrency scheduler settings for one transport, as plain values. Built from
 * main.cf with {@link #forTransport}, which applies the per-transport overrides
 * ({@code <transport>_destination_concurrency_limit} etc.) over the default_* parameters.
 *
 * @param initialConcurrency initial_destination_concurrency ({@code <transport>_initial_destination_concurrency})
 * @param concurrencyLimit   destination concurrency limit, 0 = no limit
 * @param positiveFeedback   ..._destination_concurrency_positive_feedback
 * @param negativeFeedback   ..._destination_concurrency_negative_feedback
 * @param failedCohortLimit  ..._destination_concurrency_failed_cohort_limit, 0 = never declare dead
 * @param rateDelay          ..._destination_rate_delay; when non-zero the concurrency is 1
 * @param deadRetryDelay     how long a dead destination stays suspended (qmgr uses minimal_backoff_time)
 * @param feedbackDebug      destination_concurrency_feedback_debug
 */
public record DestinationSettings(int initialConcurrency, int concurrencyLimit, Feedback positiveFeedback,
                                  Feedback negativeFeedback, int failedCohortLimit, Duration rateDelay,
                                  Duration deadRetryDelay, boolean feedbackDebug) {

    public DestinationSettings {
        if (initialConcurrency < 1) throw new IllegalArgumentException("initial_destination_concurrency must be >= 1");
        if (concurrencyLimit < 0) throw new IllegalArgumentException("destination concurrency limit must be >= 0");
        if (failedCohortLimit < 0) throw new IllegalArgumentException("failed cohort limit must be >= 0");
        // As in qmgr_transport_create(): a rate delay means one delivery at a time, and the
        // initial concurrency never exceeds the limit.
        if (!rateDelay.isZero()) concurrencyLimit = 1;
        if (concurrencyLimit > 0 && initialConcurrency > concurrencyLimit) initialConcurrency = concurrencyLimit;
    }

    /** Postfix 3.x defaults for the smtp transport. */
    public static DestinationSettings defaults() {
        return new DestinationSettings(5, 20, new Feedback(1, false), new Feedback(1, false), 1,
                Duration.ZERO, Duration.ofSeconds(300), false);
    }

    /**
     * Reads the settings for {@code transport} from main.cf values (already $name-expanded;
     * missing names take Postfix's defaults, including local_destination_concurrency_limit = 2).
     */
    public static DestinationSettings forTransport(String transport, Map<String, String> mainCf) {
        Function<String, String> get = mainCf::get;
        String limitDefault = "local".equals(transport) ? "2" : value(get, "default_destination_concurrency_limit", "20");
        int limit = Integer.parseInt(value(get, transport + "_destination_concurrency_limit", limitDefault).trim());
        int initial = Integer.parseInt(value(get, transport + "_initial_destination_concurrency",
                value(get, "initial_destination_concurrency", "5")).trim());
        Feedback pos = Feedback.parse(transport + "_destination_concurrency_positive_feedback",
                value(get, transport + "_destination_concurrency_positive_feedback",
                        value(get, "default_destination_concurrency_positive_feedback", "1")));
        Feedback neg = Feedback.parse(transport + "_destination_concurrency_negative_feedback",
                value(get, transport + "_destination_concurrency_negative_feedback",
                        value(get, "default_destination_concurrency_negative_feedback", "1")));
        int cohorts = Integer.parseInt(value(get, transport + "_destination_concurrency_failed_cohort_limit",
                value(get, "default_destination_concurrency_failed_cohort_limit", "1")).trim());
        Duration rate = parseTime(transport + "_destination_rate_delay",
                value(get, transport + "_destination_rate_delay", value(get, "default_destination_rate_delay", "0s")));
        Duration dead = parseTime("minimal_backoff_time", value(get, "minimal_backoff_time", "300s"));
        boolean debug = "yes".equalsIgnoreCase(value(get, "destination_concurrency_feedback_debug", "no").trim());
        return new DestinationSettings(initial, limit, pos, neg, cohorts, rate, dead, debug);
    }

    private static String value(Function<String, String> get, String name, String dflt) {
        String v = get.apply(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    /** A Postfix time value: a number with an optional unit s, m, h, d or w (default seconds). */
    public static Duration parseTime(String parameter, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) throw new IllegalArgumentException("bad " + parameter + " value: " + text);
        char unit = t.charAt(t.length() - 1);
        String number = Character.isLetter(unit) ? t.substring(0, t.length() - 1) : t;
        long n;
        try {
            n = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + parameter + " value: " + text, e);
        }
        if (n < 0) throw new IllegalArgumentException("bad " + parameter + " value: " + text);
        return switch (Character.isLetter(unit) ? unit : 's') {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException("bad " + parameter + " value: " + text);
        };
    }

    /** The same settings with a different dead-destination suspension (tests, reload). */
    public DestinationSettings withDeadRetryDelay(Duration delay) {
        return new DestinationSettings(initialConcurrency, concurrencyLimit, positiveFeedback, negativeFeedback,
                failedCohortLimit, rateDelay, delay, feedbackDebug);
    }
}
