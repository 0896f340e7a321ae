package org.smarthost.persistence.queue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue IDs in Postfix's long form (enable_long_queue_ids = yes), e.g. {@code 4jZR1g3jdtzJ9Gy}:
 * six base-52 digits of the epoch second, four base-52 digits of the microsecond, the separator
 * {@code z}, then a base-51 uniquifier (no {@code z}). Postfix takes the queue file's inode
 * number as uniquifier; we take a number identifying this node and process, so IDs from several
 * nodes sharing one queue never collide. Within one generator the time part strictly increases
 * (a clash within the same microsecond borrows the next one), so IDs are unique and sort by
 * arrival like Postfix's.
 */
public final class QueueIdGenerator {

    /** Postfix's "safe" alphabet: digits and consonants, so that no word can be spelled. */
    static final String ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    static final int TIME_BASE = 52;
    static final int UNIQUIFIER_BASE = 51;
    static final char SEPARATOR = 'z';
    private static final long MICROS = 1_000_000L;

    private final Clock clock;
    private final String suffix;
    private final AtomicLong lastMicros = new AtomicLong();

    /**
     * @param uniquifier distinguishes this generator from every other one that writes to the
     *                   same queue (node and process); non-negative
     */
    public QueueIdGenerator(long uniquifier, Clock clock) {
        if (uniquifier < 0) throw new IllegalArgumentException("uniquifier must not be negative");
        this.clock = clock;
        this.suffix = SEPARATOR + encode(uniquifier, UNIQUIFIER_BASE, 1);
    }

    /** A generator for this process: its uniquifier mixes host name and process ID. */
    public static QueueIdGenerator forThisProcess() {
        return new QueueIdGenerator(processUniquifier(), Clock.systemUTC());
    }

    static long processUniquifier() {
        long pid = ProcessHandle.current().pid();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = ManagementFactory.getRuntimeMXBean().getName();
        }
        // 51^4 values keep the uniquifier at most four characters, like typical inode numbers.
        long mixed = (host.hashCode() & 0xffffffffL) * 1_000_003L + pid;
        return Math.floorMod(mixed, 51L * 51 * 51 * 51);
    }

    public String next() {
        Instant now = clock.instant();
        long candidate = now.getEpochSecond() * MICROS + now.getNano() / 1000;
        long micros = lastMicros.accumulateAndGet(candidate, (last, c) -> Math.max(last + 1, c));
        return encode(micros / MICROS, TIME_BASE, 6) + encode(micros % MICROS, TIME_BASE, 4) + suffix;
    }

    /** Whether {@code id} looks like a queue ID (Postfix accepts letters and digits only). */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) return false;
        }
        return true;
    }

    /** The time encoded in a long queue ID. */
    public static Instant timeOf(String id) {
        if (id.length() < 12 || id.charAt(10) != SEPARATOR) {
            throw new IllegalArgumentException("not a long queue ID: " + id);
        }
        long sec = decode(id.substring(0, 6), TIME_BASE);
        long usec = decode(id.substring(6, 10), TIME_BASE);
        return Instant.ofEpochSecond(sec, usec * 1000);
    }

    static String encode(long value, int base, int minWidth) {
        StringBuilder sb = new StringBuilder();
        do {
            sb.append(ALPHABET.charAt((int) (value % base)));
            value /= base;
        } while (value > 0);
        while (sb.length() < minWidth) sb.append('0');
        return sb.reverse().toString();
    }

    static long decode(String digits, int base) {
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = ALPHABET.indexOf(digits.charAt(i));
            if (d < 0 || d >= base) throw new IllegalArgumentException("bad queue ID digit in " + digits);
            v = v * base + d;
        }
        return v;
    }
}
