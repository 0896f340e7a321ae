package org.smarthost.persistence.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QueueIdGeneratorTest {

    static final Pattern SHAPE = Pattern.compile(
            "[0-9BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz]{10}z[0-9BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy]+");

    @Test
    void encodesLikePostfix() {
        // From a real Postfix 3.7 queue: 4jZR1g3jdtzJ9Gy arrived at 1795626439.523634, inode 2146589.
        Clock fixed = Clock.fixed(Instant.ofEpochSecond(1795626439L, 523_634_000L), ZoneOffset.UTC);
        assertEquals("4jZR1g3jdtzJ9Gy", new QueueIdGenerator(2146589, fixed).next());
        assertEquals(Instant.ofEpochSecond(1795626439L, 523_634_000L), QueueIdGenerator.timeOf("4jZR1g3jdtzJ9Gy"));
    }

    @Test
    void sameMicrosecondStillUniqueAndIncreasing() {
        Clock fixed = Clock.fixed(Instant.ofEpochSecond(1795626439L, 999_999_000L), ZoneOffset.UTC);
        QueueIdGenerator g = new QueueIdGenerator(7, fixed);
        String a = g.next();
        String b = g.next();
        assertNotEquals(a, b);
        assertTrue(a.compareTo(b) < 0, a + " < " + b);
        // the borrowed microsecond carried into the next second
        assertEquals(Instant.ofEpochSecond(1795626440L), QueueIdGenerator.timeOf(b));
    }

    @Test
    void uniqueAndWellFormedUnderConcurrency() throws Exception {
        QueueIdGenerator g = QueueIdGenerator.forThisProcess();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) ids.add(g.next());
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(80_000, ids.size());
        for (String id : ids) assertTrue(SHAPE.matcher(id).matches(), id);
    }

    @Test
    void differentUniquifiersNeverCollide() {
        Clock fixed = Clock.fixed(Instant.ofEpochSecond(1795626439L), ZoneOffset.UTC);
        assertNotEquals(new QueueIdGenerator(1, fixed).next(), new QueueIdGenerator(2, fixed).next());
    }

    @Test
    void monotonicAcrossCalls() {
        QueueIdGenerator g = QueueIdGenerator.forThisProcess();
        String prev = g.next();
        for (int i = 0; i < 1000; i++) {
            String next = g.next();
            assertTrue(QueueIdGenerator.timeOf(prev).isBefore(QueueIdGenerator.timeOf(next)));
            prev = next;
        }
    }

    @Test
    void validity() {
        assertTrue(QueueIdGenerator.isValid("4jZR1g3jdtzJ9Gy"));
        assertTrue(QueueIdGenerator.isValid("7FD7220C11D"));
        assertFalse(QueueIdGenerator.isValid("bogus!"));
        assertFalse(QueueIdGenerator.isValid(""));
        assertFalse(QueueIdGenerator.isValid("../etc"));
    }
}
