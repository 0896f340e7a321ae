package org.smarthost.persistence.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group commit: one thread drains every write request queued while the previous fsync was
 * running and writes them all in ONE WriteBatch with {@code sync=true}. Many smtpd sessions
 * waiting for their MessageReceived therefore share one fsync, and the batch is the unit of
 * atomicity. Being the only writer of synced batches also means counters (numeric IDs, tag
 * offsets) are allocated in commit order, so a live eventsByTag reader never sees offset N+1
 * before N. While writes arrive fast, a batch is held open briefly so that more of them share its
 * fsync ({@link CommitPacer}).
 */
final class GroupCommitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("postfix/qmgr");
    /** Bound on one batch so a burst cannot build an unbounded WriteBatch in memory. */
    private static final int MAX_PARTS_PER_BATCH = 4096;

    private record Request(BatchPart part, CompletableFuture<Void> done, long submitted) {
    }

    private final RocksDB db;
    private final WriteOptions syncedWrite;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final List<BatchListener> batchListeners;
    private final Consumer<StoreChange> changeSink;
    private final CommitPacer pacer;
    private final Thread thread;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicLong batches = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong parts = new java.util.concurrent.atomic.AtomicLong();

    GroupCommitter(RocksDB db, String name, List<BatchListener> batchListeners, Consumer<StoreChange> changeSink) {
        this(db, name, batchListeners, changeSink, CommitPacer.standard());
    }

    GroupCommitter(RocksDB db, String name, List<BatchListener> batchListeners, Consumer<StoreChange> changeSink,
                   CommitPacer pacer) {
        this.db = db;
        this.pacer = pacer;
        // The durability contract ("250 after DATA means fsynced") rests on this flag: every
        // journal, snapshot and corrupt-queue write goes through this committer with sync=true,
        // i.e. the WAL is fsync()ed before any future completes. There is no portable test for
        // an fsync, so keep this line under review.
        this.syncedWrite = new WriteOptions().setSync(true).setDisableWAL(false);
        this.batchListeners = batchListeners;
        this.changeSink = changeSink;
        this.thread = new Thread(this::run, "smarthost-store-commit " + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Void> submit(BatchPart part) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("store is closed"));
            return done;
        }
        queue.add(new Request(part, done, System.nanoTime()));
        return done;
    }

    private void run() {
        List<Request> pending = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                holdForMore(first);
                pending.add(first);
                queue.drainTo(pending, MAX_PARTS_PER_BATCH - 1);
                commit(pending);
                pacer.committed(pending.size(), System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable t) {
                // commit() completes every future itself; this only keeps the thread alive
                log.error("fatal: group commit thread: {}", t.toString(), t);
            } finally {
                pending.clear();
            }
        }
        Request r;
        while ((r = queue.poll()) != null) {
            r.done.completeExceptionally(new IllegalStateException("store is closed"));
        }
    }

    /**
     * Sleeps until the pacer's hold for this batch ends. Parking, unlike waiting on the queue,
     * is not woken by each write that arrives meanwhile; they are all drained after the hold.
     */
    private void holdForMore(Request first) {
        long now = System.nanoTime();
        long until = pacer.holdUntil(first.submitted, now);
        while (until - now > 0 && running) {
            LockSupport.parkNanos(until - now);
            now = System.nanoTime();
        }
    }

    private void commit(List<Request> requests) {
        StoreChange change = StoreChange.NONE;
        boolean committed = false;
        Throwable failure = null;
        try (WriteBatch batch = new WriteBatch()) {
            List<StoreChange> changes = new ArrayList<>(requests.size());
            for (Request r : requests) {
                changes.add(r.part.addTo(batch));
            }
            for (BatchListener l : batchListeners) {
                l.batchFilled(batch);
            }
            change = StoreChange.union(changes);
            db.write(syncedWrite, batch);
            committed = true;
            batches.incrementAndGet();
            parts.addAndGet(requests.size());
        } catch (Throwable t) {
            failure = t;
        }
        for (BatchListener l : batchListeners) {
            try {
                l.batchEnded(committed);
            } catch (RuntimeException e) {
                log.warn("warning: store batch listener failed: {}", e.toString());
            }
        }
        for (Request r : requests) {
            if (committed) {
                r.done.complete(null);
            } else {
                r.done.completeExceptionally(failure);
            }
        }
        if (committed && !change.isEmpty()) {
            changeSink.accept(change);
        }
    }

    long batches() {
        return batches.get();
    }

    long parts() {
        return parts.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncedWrite.close();
    }
}
