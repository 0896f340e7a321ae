package org.smarthost.protocol.client;

import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle sessions kept per destination between deliveries, as Postfix's scache does for smtp(8):
 * a session waits at most {@code smtp_connection_cache_time_limit}, then is closed with QUIT.
 * Taking a session hands it over exclusively; the caller probes it with RSET before use.
 */
final class ConnectionCache {

    private record Entry(SmtpSession session, ScheduledFuture<?> expiry) { }

    private final Map<String, Deque<Entry>> idle = new HashMap<>();

    synchronized void put(String destination, SmtpSession session, Duration idleLimit) {
        Entry[] self = new Entry[1];
        ScheduledFuture<?> expiry = session.connection().channel().eventLoop().schedule(() -> {
            if (remove(destination, self[0])) session.quit();
        }, idleLimit.toMillis(), TimeUnit.MILLISECONDS);
        self[0] = new Entry(session, expiry);
        idle.computeIfAbsent(destination, k -> new ArrayDeque<>()).addLast(self[0]);
    }

    /** The most recently cached live session for the destination, or null. */
    synchronized SmtpSession take(String destination) {
        Deque<Entry> entries = idle.get(destination);
        while (entries != null && !entries.isEmpty()) {
            Entry e = entries.pollLast();
            e.expiry().cancel(false);
            if (entries.isEmpty()) idle.remove(destination);
            if (e.session().connection().isOpen()) return e.session();
            e.session().connection().close();
        }
        return null;
    }

    synchronized int size() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    synchronized void closeAll() {
        for (Deque<Entry> entries : idle.values()) {
            for (Entry e : entries) {
                e.expiry().cancel(false);
                e.session().quit();
            }
        }
        idle.clear();
    }

    private synchronized boolean remove(String destination, Entry entry) {
        Deque<Entry> entries = idle.get(destination);
        if (entries == null || !entries.remove(entry)) return false;
        if (entries.isEmpty()) idle.remove(destination);
        return true;
    }
}
