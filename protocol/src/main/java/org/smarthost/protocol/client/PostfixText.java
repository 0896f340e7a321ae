package org.smarthost.protocol.client;

import java.time.Duration;

/**
 * Postfix's wording for delivery results, so log lines and bounces read exactly like Postfix's
 * smtp(8)/lmtp(8): {@code relay=} values, "host X said: ...", connection and timeout texts, and
 * the {@code delay=}/{@code delays=} number format.
 */
public final class PostfixText {

    private PostfixText() { }

    /** The {@code relay=} field value: "mx.example.com[192.0.2.1]:25", "host[/path]" or "none". */
    public static String relay(Relay relay) {
        return relay.toString();
    }

    /** "host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)". */
    public static String said(Relay relay, ServerReply reply, String inReplyTo) {
        return "host " + relay.hostAddress() + " said: " + reply.text() + " (in reply to " + inReplyTo + ")";
    }

    /** "host mx[192.0.2.1] refused to talk to me: 421 4.3.2 ...". */
    public static String refusedToTalk(Relay relay, ServerReply reply) {
        return "host " + relay.hostAddress() + " refused to talk to me: " + reply.text();
    }

    /** "connect to mx[192.0.2.1]:25: Connection refused" ("connect to host[/path]: ..." for UNIX). */
    public static String connectFailed(Relay relay, String error) {
        return "connect to " + relay + ": " + error;
    }

    /** "conversation with mx[192.0.2.1] timed out while sending RCPT TO". */
    public static String timedOut(Relay relay, String stage) {
        return "conversation with " + relay.hostAddress() + " timed out while " + stage;
    }

    /** "lost connection with mx[192.0.2.1] while receiving the initial server greeting". */
    public static String lostConnection(Relay relay, String stage) {
        return "lost connection with " + relay.hostAddress() + " while " + stage;
    }

    /** "message size 12345 exceeds size limit 10240 of server mx[192.0.2.1]". */
    public static String sizeExceeded(long size, long limit, Relay relay) {
        return "message size " + size + " exceeds size limit " + limit + " of server " + relay.hostAddress();
    }

    /** Postfix's default delay_logging_resolution_limit. */
    public static final int DEFAULT_DELAY_RESOLUTION = 2;

    private static final long MILLION = 1_000_000;
    private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    /**
     * A duration as in {@code delay=} and {@code delays=}, as Postfix's format_tv() prints it
     * with two significant digits and at most {@code maxDigits} (delay_logging_resolution_limit)
     * after the point: rounded to the nearest, not cut off ("0.017" s is "0.02", "9.96" is "10"),
     * whole seconds from 10 s on, trailing zeros dropped. The value is taken in microseconds, as
     * Postfix's gettimeofday() gives it.
     */
    public static String delay(Duration duration, int maxDigits) {
        long micros = Math.max(0, duration.toNanos() / 1_000);
        return formatTime(micros / MILLION, micros % MILLION, 2, maxDigits);
    }

    /** format_tv(): {@code sigDigits} 1..6 significant digits for small values, {@code maxDigits} 0..6. */
    static String formatTime(long sec, long usec, int sigDigits, int maxDigits) {
        if (maxDigits < 0 || maxDigits > 6 || sigDigits < 1 || sigDigits > 6) {
            throw new IllegalArgumentException("digits out of range: " + sigDigits + "/" + maxDigits);
        }
        long resolution = MILLION / POW10[maxDigits];
        long width = POW10[sigDigits];
        // Coarser resolution where more digits would not be significant.
        if (resolution < MILLION) {
            if (sec > 0) {
                long n = 1;
                while (sec >= n && n <= width / 10) n *= 10;
                resolution = (MILLION / width) * n;
            } else {
                while (usec >= width * resolution) resolution *= 10;
            }
        }
        if (resolution > 1) {
            usec += resolution / 2;
            if (usec >= MILLION) {
                sec += 1;
                usec -= MILLION;
            }
        }
        StringBuilder out = new StringBuilder(8).append(sec);
        if (usec >= resolution) {
            out.append('.');
            long rest = usec;
            for (long n = MILLION / 10; rest >= resolution && n > 0; n /= 10) {
                out.append((char) ('0' + rest / n));
                rest %= n;
            }
        }
        return out.toString();
    }

    /** {@code delays=a/b/c/d}. */
    public static String delays(Duration beforeQmgr, Duration inQmgr, Duration connectionSetup, Duration transmission,
                                int maxDigits) {
        return delay(beforeQmgr, maxDigits) + "/" + delay(inQmgr, maxDigits) + "/" + delay(connectionSetup, maxDigits)
                + "/" + delay(transmission, maxDigits);
    }

}
