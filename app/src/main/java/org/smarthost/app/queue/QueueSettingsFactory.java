package org.smarthost.app.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.smarthost.actors.queue.QueueSettings;

/**
 * Builds {@link QueueSettings} from main.cf parameter values, parsed with Postfix's rules
 * (time units s/m/h/d/w with a per-parameter default unit, yes/no booleans, lists separated
 * by commas or whitespace). Parameters the lookup does not know get Postfix's defaults.
 */
public final class QueueSettingsFactory {

    private QueueSettingsFactory() { }

    /**
     * @param parameter main.cf lookup: name → effective value ($names expanded, defaults
     *                  applied), or null/exception when unknown
     */
    public static QueueSettings fromParameters(Function<String, String> parameter, Path queueDirectory,
                                               Path storeDirectory) {
        QueueSettings d = QueueSettings.defaults("localhost", queueDirectory);
        String myhostname = value(parameter, "myhostname", "localhost");
        return new QueueSettings(
                myhostname,
                value(parameter, "mail_name", d.mailName()),
                (int) number(parameter, "hopcount_limit", d.hopcountLimit()),
                (int) number(parameter, "header_size_limit", d.headerSizeLimit()),
                number(parameter, "message_size_limit", d.messageSizeLimit()),
                bool(parameter, "always_add_missing_headers", d.alwaysAddMissingHeaders()),
                list(parameter, "local_header_rewrite_clients", d.localHeaderRewriteClients()),
                list(parameter, "mynetworks", d.mynetworks()),
                time(parameter, "minimal_backoff_time", 's', d.minimalBackoffTime()),
                time(parameter, "maximal_backoff_time", 's', d.maximalBackoffTime()),
                time(parameter, "maximal_queue_lifetime", 'd', d.maximalQueueLifetime()),
                time(parameter, "bounce_queue_lifetime", 'd', d.bounceQueueLifetime()),
                time(parameter, "queue_run_delay", 's', d.queueRunDelay()),
                queueDirectory, storeDirectory, QueueSettings.ROCKSDB_READ_JOURNAL, d.messageIdleTimeout(),
                ZoneId.systemDefault());
    }

    private static String value(Function<String, String> p, String name, String fallback) {
        try {
            String v = p.apply(name);
            return v == null || v.isBlank() ? fallback : v.strip();
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    static long number(Function<String, String> p, String name, long fallback) {
        String v = value(p, name, null);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad numerical configuration: " + name + " = " + v);
        }
    }

    static boolean bool(Function<String, String> p, String name, boolean fallback) {
        String v = value(p, name, null);
        if (v == null) return fallback;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on" -> true;
            case "no", "false", "off" -> false;
            default -> throw new IllegalArgumentException("bad boolean configuration: " + name + " = " + v);
        };
    }

    static List<String> list(Function<String, String> p, String name, List<String> fallback) {
        String v = value(p, name, null);
        if (v == null) return fallback;
        return Arrays.stream(v.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }

    /** Postfix time value: a number with an optional unit s, m, h, d or w. */
    static Duration time(Function<String, String> p, String name, char defaultUnit, Duration fallback) {
        String v = value(p, name, null);
        if (v == null) return fallback;
        char unit = Character.isLetter(v.charAt(v.length() - 1)) ? v.charAt(v.length() - 1) : defaultUnit;
        String digits = Character.isLetter(v.charAt(v.length() - 1)) ? v.substring(0, v.length() - 1) : v;
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad time configuration: " + name + " = " + v);
        }
        return switch (Character.toLowerCase(unit)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException("bad time configuration: " + name + " = " + v);
        };
    }
}
