package org.smarthost.actors.queue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueName;

/**
 * The queue index (Postfix's qmgr view of the queue): queue ID → compact {@link IndexEntry}
 * for every message not yet done. Rebuilt at start from the journal (currentEventsByTag), then
 * kept current by the MessageActors, which report every event they persist. Updates carry the
 * event sequence number, so an update seen during the rebuild is applied exactly once.
 *
 * <p>The rebuild reads from the index checkpoint on: the previous rebuild persisted the tag offset
 * before the first event of the oldest message then still queued, so the history of messages
 * finished before it is not read again and start-up time follows the queue, not the journal's
 * age. Messages queued since then all have later offsets.
 *
 * <p>Faster still, the server saves the index itself ({@link IndexSnapshot}) at every checkpoint
 * interval and when it stops ({@link SaveIndex}): the next start reads that file and only the
 * events after it ({@link IndexRestore}), and falls back to the rebuild whenever the file cannot
 * be trusted.
 */
public final class QueueManager {

    private static final Logger qmgr = LoggerFactory.getLogger("postfix/qmgr");
    /** The internal log (smarthost.log): how the index was loaded and saved. */
    private static final Logger log = LoggerFactory.getLogger(QueueManager.class);
    private static final String BLOCKING_IO = "pekko.actor.default-blocking-io-dispatcher";

    public sealed interface Command { }

    /** From a MessageActor after it persisted event {@code seqNr}. */
    public record Updated(String queueId, long seqNr, MessageState state) implements Command { }

    /** All queued messages, oldest first. */
    public record ListQueue(ActorRef<List<IndexEntry>> replyTo) implements Command { }

    public record Lookup(String queueId, ActorRef<Optional<IndexEntry>> replyTo) implements Command { }

    /**
     * Messages due for delivery: active or deferred with a next attempt at or before
     * {@code epochSecond}, earliest first, at most {@code max} (for the delivery scheduler).
     */
    public record Due(long epochSecond, int max, ActorRef<List<IndexEntry>> replyTo) implements Command { }

    /**
     * The scheduler's seam: like {@link Due}, but only messages not already taken, and marks
     * the answered ones taken until {@link Release}d, so no message is in two deliveries at once.
     */
    public record Take(long epochSecond, int max, ActorRef<List<IndexEntry>> replyTo) implements Command { }

    /** The scheduler is done with this message for now (its events are persisted). */
    public record Release(String queueId) implements Command { }

    /** Tell {@code listener} whenever a message becomes eligible for delivery now (arrival, requeue). */
    public record Subscribe(ActorRef<Eligible> listener) implements Command { }

    /** Sent to the subscriber: some message became eligible now. */
    public enum Eligible { INSTANCE }

    /** Replies once the rebuild is done (at once afterwards). */
    public record AwaitReady(ActorRef<Integer> replyTo) implements Command { }

    /**
     * Save the index for the next start (at a clean stop). Replies whether it was saved: not
     * during the start-up rebuild, nor without a snapshot file or sequence offsets.
     */
    public record SaveIndex(ActorRef<Boolean> replyTo) implements Command { }

    /**
     * "postfix reload" with other backoff settings: deferred mail is rescheduled from its last
     * deferral under them, as a restart with the new main.cf would schedule it.
     */
    public record Reconfigure(BackoffPolicy policy) implements Command { }

    private record Rebuilt(Rebuild journal) implements Command { }

    /** The index from a saved snapshot and the events after it; the checkpoint it was read at. */
    private record Restored(IndexRestore.Result result, long checkpoint, int entries, long afterOffset,
                            int histories) implements Command { }

    private record SaveWritten(List<ActorRef<Boolean>> waiters, int messages, Throwable failure)
            implements Command { }

    private record RebuildFailed(Throwable cause) implements Command { }

    /**
     * A message folded from the journal during the rebuild: its state, or null once it is done
     * (a completed message only needs its sequence number, so a journal full of history costs
     * little more than the messages still queued), and the tag offset of its first event read.
     */
    record Folded(MessageState state, long seqNr, long firstOffset) {
        boolean isDone() {
            return state == null;
        }

        /** Still queued by its events, yet its MessageReceived was not read. */
        boolean isPartial() {
            return state != null && state.received() == null;
        }
    }

    /**
     * The queue events read at start, folded per message, and which tag offsets were read:
     * after {@code afterOffset} (0: the whole journal) up to {@code lastOffset}.
     */
    static final class Rebuild extends QueueEventsRead {
        final long afterOffset;
        final HashMap<String, Folded> messages = new HashMap<>();

        Rebuild(long afterOffset) {
            super(afterOffset);
            this.afterOffset = afterOffset;
        }

        @Override
        void forEachMessage(MessageSeen action) {
            messages.forEach((id, f) -> action.accept(id, f.isDone(), !f.isDone() && !f.isPartial(), f.firstOffset()));
        }

        @Override
        long newestSeqNr(String queueId) {
            Folded f = messages.get(queueId);
            return f == null ? -1 : f.seqNr();
        }

        /** A message still queued whose MessageReceived came before the offset this read began at. */
        Optional<String> cutShort() {
            if (afterOffset <= 0) return Optional.empty();
            return messages.entrySet().stream().filter(e -> e.getValue().isPartial()).map(Map.Entry::getKey)
                    .findFirst();
        }
    }

    /**
     * How often a running server reads the queue events since its previous read and moves the
     * index checkpoint on. Every event is read once either way; reading often keeps each read
     * short (it shares the dispatcher with the mail), and the tracker close to the journal, so
     * a save at stop has little left to read.
     */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofMinutes(1);

    /** Every this many reads the index is saved as well (every 10 minutes), so even a crash restarts quickly. */
    static final int SAVE_EVERY_READS = 10;

    public static Behavior<Command> create(QueueQueries queries, BackoffPolicy policy) {
        return create(queries, policy, null);
    }

    /** @param snapshots where the index is saved at a stop and read at start; null: never */
    static Behavior<Command> create(QueueQueries queries, BackoffPolicy policy, IndexSnapshotFile snapshots) {
        return create(queries, policy, snapshots, Clock.systemUTC(), CHECKPOINT_INTERVAL);
    }

    static Behavior<Command> create(QueueQueries queries, BackoffPolicy policy, IndexSnapshotFile snapshots,
                                    Clock clock, Duration checkpointInterval) {
        return Behaviors.withStash(1_000_000, stash -> Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorSystem<Void> system = ctx.getSystem(); // the context is for the actor's own thread only
            Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
            ctx.pipeToSelf(queries.indexCheckpoint(system)
                            .thenCompose(from -> load(system, queries, snapshots, policy, from, blocking)),
                    (loaded, failure) -> failure != null ? new RebuildFailed(failure) : loaded);
            timers.startTimerWithFixedDelay(MoveCheckpoint.INSTANCE, checkpointInterval);
            Checkpointer checkpointer = new Checkpointer(ctx, timers, queries, clock, snapshots != null);
            return rebuilding(ctx, stash, checkpointer, policy, new Saver(ctx, snapshots, policy, blocking));
        })));
    }

    /**
     * The start: from the saved snapshot and the events after it when the snapshot is usable,
     * else the rebuild from the checkpoint.
     */
    private static CompletionStage<Command> load(ActorSystem<?> system, QueueQueries queries,
                                                 IndexSnapshotFile snapshots, BackoffPolicy policy,
                                                 long checkpoint, Executor blocking) {
        return CompletableFuture.supplyAsync(() -> usableSnapshot(snapshots, checkpoint), blocking)
                .thenCompose(saved -> saved.isEmpty() ? rebuild(system, queries, checkpoint)
                        : read(system, queries, saved.get().afterOffset()).thenCompose(tail -> {
                            IndexRestore restore = new IndexRestore(saved.get(), tail, policy);
                            Optional<Set<String>> histories = restore.historiesToRead();
                            if (histories.isEmpty()) {
                                log.info("saved queue index not used: the events after it need the full rebuild");
                                return rebuild(system, queries, checkpoint);
                            }
                            return histories(system, queries, histories.get()).thenApply(h -> new Restored(
                                    restore.finish(histories.get(), h), checkpoint, saved.get().entries().size(),
                                    saved.get().afterOffset(), histories.get().size()));
                        }));
    }

    private static CompletionStage<Command> rebuild(ActorSystem<?> system, QueueQueries queries, long checkpoint) {
        return read(system, queries, checkpoint).thenApply(Rebuilt::new);
    }

    private static Optional<IndexSnapshot> usableSnapshot(IndexSnapshotFile snapshots, long checkpoint) {
        if (snapshots == null) return Optional.empty();
        Optional<IndexSnapshot> saved;
        try {
            saved = snapshots.read();
        } catch (java.io.IOException | RuntimeException e) {
            qmgr.warn("warning: {}: saved queue index not used: {}", snapshots.path(), e.getMessage());
            return Optional.empty();
        }
        if (saved.isPresent() && saved.get().afterOffset() < checkpoint) {
            log.info("saved queue index not used: older than the index checkpoint");
            return Optional.empty();
        }
        return saved;
    }

    /** Each message's own history folded, for those a snapshot cannot vouch for. */
    private static CompletionStage<Map<String, Folded>> histories(ActorSystem<?> system, QueueQueries queries,
                                                                  Set<String> ids) {
        return Source.from(ids)
                .mapAsyncUnordered(4, id -> queries.history(id)
                        .runWith(Sink.fold(new Rebuild(0), QueueManager::fold), system))
                .runWith(Sink.<Map<String, Folded>, Rebuild>fold(new HashMap<>(), (all, one) -> {
                    all.putAll(one.messages); // just the one message (none when it has no events)
                    return all;
                }), system);
    }

    /** Timer: read the history since the checkpoint, move it on, and save the index. */
    private enum MoveCheckpoint implements Command { INSTANCE }

    /** Timer: a {@link SaveIndex} has waited long enough for its read of the newest events. */
    private enum SaveDeadline implements Command { INSTANCE }

    /**
     * How long a SaveIndex waits for the read of the events since the previous read (about a
     * checkpoint interval's worth) before it saves what the previous read knew; the next start
     * then reads those events instead. Keeps "postfix stop" within its 15 s.
     */
    static final Duration SAVE_READ_DEADLINE = Duration.ofSeconds(5);

    private record CheckpointRead(QueueEventsRead journal, Throwable failure, boolean forSave) implements Command { }

    /**
     * Moves the index checkpoint: after the rebuild, then every interval from a background read of
     * the queue events since the previous read (the same fold as the rebuild; the index itself is
     * not touched). Events written after such a read have later offsets, so they are always after
     * the checkpoint it gives.
     */
    private static final class Checkpointer {
        private final ActorContext<Command> ctx;
        private final TimerScheduler<Command> timers;
        private final QueueQueries queries;
        private final Clock clock;
        private final IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        private ActorRef<QueueIndexCheckpoint.Move> store;
        private long at;
        private boolean reading;
        private long readStarted;
        private final boolean saving;
        // a snapshot is wanted at the end of the next read; these SaveIndex senders wait for it
        private boolean saveWanted;
        private long reads;
        // the queue ID strings the index holds, once there is one (see IndexCheckpointTracker.absorb)
        private UnaryOperator<String> sameId = UnaryOperator.identity();
        private final List<ActorRef<Boolean>> saveWaiters = new ArrayList<>();

        Checkpointer(ActorContext<Command> ctx, TimerScheduler<Command> timers, QueueQueries queries, Clock clock,
                     boolean saving) {
            this.ctx = ctx;
            this.timers = timers;
            this.queries = queries;
            this.clock = clock;
            this.saving = saving;
        }

        CompletionStage<Rebuild> readAll() {
            return read(ctx.getSystem(), queries, 0);
        }

        /** Background reads keep their queued messages under the index's own queue ID strings. */
        void shareIdsWith(Map<String, IndexEntry> index) {
            sameId = id -> {
                IndexEntry e = index.get(id);
                return e != null ? e.queueId() : id;
            };
        }

        /** After the start-up rebuild (read from the persisted checkpoint, already checked whole). */
        void rebuilt(Rebuild journal) {
            at = journal.afterOffset;
            absorb(journal);
        }

        /** After a start from a saved index: its messages, and the persisted checkpoint. */
        void restored(IndexRestore.Result r, long checkpoint) {
            at = checkpoint;
            tracker.restore(r.firstOffsets(), r.readUpTo());
            move();
        }

        /** Takes in a read and moves the checkpoint on if it allows. */
        private void absorb(QueueEventsRead journal) {
            tracker.absorb(journal, sameId);
            move();
        }

        private void move() {
            long next = tracker.checkpoint();
            if (next <= at) return;
            if (store == null) store = ctx.spawn(QueueIndexCheckpoint.create(clock), "index-checkpoint");
            store.tell(new QueueIndexCheckpoint.Move(next));
            at = next;
        }

        /** The timer: move the checkpoint on, and every so often save the index (when there is a file for it). */
        void start() {
            if (saving && ++reads % SAVE_EVERY_READS == 0) {
                save(null);
            } else if (!reading && tracker.usable()) {
                readNewest(false);
            }
        }

        private void readNewest(boolean forSave) {
            reading = true;
            readStarted = System.nanoTime();
            long after = tracker.readUpTo();
            // Under load a read covers a minute of mail and takes seconds: on the blocking-I/O
            // dispatcher (its RocksDB reads block, too) the actors that answer smtpd keep theirs.
            ctx.pipeToSelf(queries.queueEventHeadersAfter(after)
                            .withAttributes(ActorAttributes.dispatcher(BLOCKING_IO))
                            .runWith(Sink.fold(new NewestQueueEvents(after), NewestQueueEvents::fold), ctx.getSystem()),
                    (journal, failure) -> new CheckpointRead(journal, failure, forSave));
        }

        /**
         * A snapshot is taken at the end of a read of the newest events, so a save waits for the
         * read under way (started before it was asked for) and then starts its own.
         *
         * @param replyTo told whether it was saved; null for none
         */
        void save(ActorRef<Boolean> replyTo) {
            if (!saving || !tracker.usable()) {
                if (replyTo != null) replyTo.tell(false);
                return;
            }
            if (replyTo != null) {
                saveWaiters.add(replyTo);
                timers.startSingleTimer(SaveDeadline.INSTANCE, SAVE_READ_DEADLINE);
            }
            saveWanted = true;
            if (!reading) readNewest(true);
        }

        /**
         * The read a save waits for is taking too long: whom to answer with a snapshot of what
         * the previous read knew, taken now (correct too: whatever came after that read is in
         * the events the next start reads), or empty when the save is already done.
         */
        Optional<List<ActorRef<Boolean>>> deadline() {
            if (!saveWanted) return Optional.empty();
            saveWanted = false;
            List<ActorRef<Boolean>> waiters = List.copyOf(saveWaiters);
            saveWaiters.clear();
            return Optional.of(waiters);
        }

        /** @return whom to answer when a snapshot is to be taken now, else empty */
        Optional<List<ActorRef<Boolean>>> finished(CheckpointRead r) {
            reading = false;
            if (r.failure() != null) {
                qmgr.warn("warning: cannot move the queue index checkpoint: {}", r.failure().toString());
                if (r.forSave()) {
                    saveWanted = false;
                    saveWaiters.forEach(w -> w.tell(false));
                    saveWaiters.clear();
                }
                return Optional.empty();
            }
            long before = tracker.readUpTo();
            absorb(r.journal());
            // the server's own log, once a minute: when the reads ran and what they cost
            log.info("queue index checkpoint: read the queue events after tag offset {} up to {} in {} ms;"
                            + " {} messages queued; checkpoint at {}", before, tracker.readUpTo(),
                    (System.nanoTime() - readStarted) / 1_000_000, tracker.queued(), at);
            if (!saveWanted) return Optional.empty(); // none asked, or saved at its deadline
            if (!r.forSave()) {
                readNewest(true); // this read began before the save was asked for
                return Optional.empty();
            }
            timers.cancel(SaveDeadline.INSTANCE);
            return deadline();
        }
    }

    /** Writes snapshots of the index, off the actor's thread, one after the other. */
    private static final class Saver {
        private final ActorContext<Command> ctx;
        private final IndexSnapshotFile file;
        private BackoffPolicy policy;
        private final Executor blocking;
        // a save at stop may come while the 10-minute one is still writing: never two at once
        private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);

        Saver(ActorContext<Command> ctx, IndexSnapshotFile file, BackoffPolicy policy, Executor blocking) {
            this.ctx = ctx;
            this.file = file;
            this.policy = policy;
            this.blocking = blocking;
        }

        void save(Map<String, IndexEntry> index, IndexCheckpointTracker tracker, QueueEventsRead lastRead,
                  List<ActorRef<Boolean>> waiters) {
            IndexSnapshot snapshot = IndexSnapshot.capture(index, tracker, lastRead, policy);
            int messages = snapshot.entries().size() + snapshot.unresolved().size();
            lastWrite = lastWrite.handle((ok, earlierFailure) -> ok).thenRunAsync(() -> {
                try {
                    file.write(snapshot);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, blocking);
            ctx.pipeToSelf(lastWrite, (ok, failure) -> new SaveWritten(waiters, messages, failure));
        }

        /** The settings the next snapshot records, after a reload changed them. */
        void policy(BackoffPolicy policy) {
            this.policy = policy;
        }

        void written(SaveWritten w) {
            if (w.failure() != null) {
                Throwable cause = w.failure() instanceof java.util.concurrent.CompletionException c
                        && c.getCause() != null ? c.getCause() : w.failure();
                qmgr.warn("warning: {}: cannot save the queue index: {}", file.path(), cause.toString());
            } else {
                log.info("queue index saved: {} messages", w.messages());
            }
            w.waiters().forEach(r -> r.tell(w.failure() == null));
        }
    }

    private static CompletionStage<Rebuild> read(ActorSystem<?> system, QueueQueries queries, long afterOffset) {
        return queries.queueEventsAfter(afterOffset)
                .runWith(Sink.fold(new Rebuild(afterOffset), QueueManager::fold), system);
    }

    private static Command rebuilt(Rebuild journal, Throwable failure) {
        return failure != null ? new RebuildFailed(failure) : new Rebuilt(journal);
    }

    static Rebuild fold(Rebuild acc, EventEnvelope env) {
        long offset = acc.read(env.offset());
        if (env.event() instanceof QueueEvent e) {
            Folded f = acc.messages.get(e.queueId());
            long first = f == null ? offset : f.firstOffset();
            if (f != null && f.isDone()) {
                // Nothing brings a finished message back; keep the newest sequence number only.
                acc.messages.put(e.queueId(), new Folded(null, env.sequenceNr(), first));
                return acc;
            }
            MessageState s = (f == null ? MessageState.incoming(e.queueId()) : f.state()).apply(e);
            acc.messages.put(e.queueId(), new Folded(s.isDone() ? null : compact(s, e), env.sequenceNr(), first));
        }
        return acc;
    }

    /**
     * What the rest of the fold and {@link IndexEntry#of} read of MessageReceived is its queue ID,
     * arrival, sender and size (pending recipients are already in the state's own map), so the
     * rebuild keeps a slim copy instead of the whole envelope with client data and recipient list.
     */
    private static MessageState compact(MessageState s, QueueEvent applied) {
        MessageReceived r = s.received();
        if (!(applied instanceof MessageReceived) || r == null) return s;
        MessageReceived slim = new MessageReceived(r.queueId(), r.at(), r.sender(), List.of(), null, null, r.size(),
                null, null, 0, null, null, null, null, false, null, null, null, null, 0, null);
        return new MessageState(s.queueId(), slim, s.queue(), s.pending(), s.attempts(), s.eligibleAt(),
                s.lastDeferredAt(), s.heldFrom(), s.forcedExpire(), s.delayWarned(), s.deleted());
    }

    /**
     * Turns the folded journal into the index and the recently-done memory, emptying
     * {@code folded} as it goes so the two never both hold every message.
     */
    static Map<String, IndexEntry> index(Map<String, Folded> folded, BackoffPolicy policy,
                                         Map<String, Long> recentlyDone) {
        Map<String, IndexEntry> index = new HashMap<>();
        for (var it = folded.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Folded> m = it.next();
            Folded f = m.getValue();
            it.remove();
            if (f.isDone()) {
                recentlyDone.put(m.getKey(), f.seqNr());
            } else if (f.state().received() != null) {
                index.put(m.getKey(), IndexEntry.of(f.state(), f.seqNr(), policy));
            }
        }
        return index;
    }

    private static Behavior<Command> rebuilding(ActorContext<Command> ctx, StashBuffer<Command> stash,
                                                Checkpointer checkpointer, BackoffPolicy policy, Saver saver) {
        return Behaviors.receive(Command.class)
                .onMessage(Rebuilt.class, r -> {
                    Rebuild journal = r.journal();
                    Optional<String> cut = journal.cutShort();
                    if (cut.isPresent()) {
                        // Never drop a queued message on the checkpoint's word: read everything.
                        qmgr.warn("warning: {}: queued, but its arrival is before queue index checkpoint {};"
                                + " reading the whole queue history", cut.get(), journal.afterOffset);
                        ctx.pipeToSelf(checkpointer.readAll(), QueueManager::rebuilt);
                        return Behaviors.same();
                    }
                    checkpointer.rebuilt(journal); // before index() empties the fold
                    Map<String, Long> recentlyDone = recentlyDoneMap();
                    Map<String, IndexEntry> index = index(journal.messages, policy, recentlyDone);
                    ctx.getLog().info("queue index rebuilt: {} messages from the events after tag offset {}",
                            index.size(), journal.afterOffset);
                    Ready ready = new Ready(index, policy, recentlyDone, checkpointer, saver);
                    return stash.unstashAll(ready.behavior());
                })
                .onMessage(Restored.class, r -> {
                    checkpointer.restored(r.result(), r.checkpoint());
                    ctx.getLog().info("queue index restored: {} messages from the saved index ({} entries),"
                                    + " the events after tag offset {} and {} histories read again",
                            r.result().index().size(), r.entries(), r.afterOffset(), r.histories());
                    Ready ready = new Ready(r.result().index(), policy, r.result().recentlyDone(), checkpointer, saver);
                    return stash.unstashAll(ready.behavior());
                })
                .onMessage(SaveIndex.class, s -> {
                    s.replyTo().tell(false); // nothing to save before the index is whole; the old file stays
                    return Behaviors.same();
                })
                .onMessage(MoveCheckpoint.class, m -> Behaviors.same()) // the rebuild will move it
                .onMessage(RebuildFailed.class, f -> {
                    qmgr.error("fatal: cannot read the queue: {}", f.cause().toString());
                    throw new IllegalStateException("queue index rebuild failed", f.cause());
                })
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    /** Recently finished messages, so that a late, stale update cannot bring one back. */
    static Map<String, Long> recentlyDoneMap() {
        return new java.util.LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > 10_000;
            }
        };
    }

    private static boolean isSchedulable(IndexEntry e) {
        return (e.queue() == QueueName.ACTIVE || e.queue() == QueueName.DEFERRED) && e.nextAttempt() >= 0;
    }

    /** Orders the schedule: next attempt, then queue ID (unique, so no two keys collide). */
    private record ScheduleKey(long nextAttempt, String queueId) implements Comparable<ScheduleKey> {
        static ScheduleKey of(IndexEntry e) {
            return new ScheduleKey(e.nextAttempt(), e.queueId());
        }

        @Override
        public int compareTo(ScheduleKey o) {
            int c = Long.compare(nextAttempt, o.nextAttempt);
            return c != 0 ? c : queueId.compareTo(o.queueId);
        }
    }

    private static final class Ready {
        private final Map<String, IndexEntry> index;
        private BackoffPolicy policy;
        // Messages the scheduler holds (between Take and Release).
        private final java.util.Set<String> taken = new java.util.HashSet<>();
        // Finished while the scheduler still held them: "removed" waits for its Release, which
        // follows the delivery status lines, as Postfix's qmgr logs it after the agent's status.
        private final java.util.Set<String> finishing = new java.util.HashSet<>();
        private ActorRef<Eligible> listener;
        // Recently finished messages, so that a late, stale update cannot bring one back.
        private final Map<String, Long> recentlyDone;

        // Messages eligible for a Take, earliest next attempt first: a Take reads only the due
        // head of this set, so its cost does not grow with the number of deferred messages.
        private final java.util.NavigableSet<ScheduleKey> schedule = new java.util.TreeSet<>();

        private final Checkpointer checkpointer;
        private final Saver saver;

        Ready(Map<String, IndexEntry> index, BackoffPolicy policy, Map<String, Long> recentlyDone,
              Checkpointer checkpointer, Saver saver) {
            this.checkpointer = checkpointer;
            this.saver = saver;
            this.index = index;
            checkpointer.shareIdsWith(index);
            this.policy = policy;
            this.recentlyDone = recentlyDone;
            index.values().forEach(this::schedule);
        }

        private void schedule(IndexEntry e) {
            if (isSchedulable(e) && !taken.contains(e.queueId())) schedule.add(ScheduleKey.of(e));
        }

        private void unschedule(IndexEntry e) {
            if (e != null) schedule.remove(ScheduleKey.of(e));
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Updated.class, this::updated)
                    .onMessage(ListQueue.class, l -> {
                        List<IndexEntry> all = new ArrayList<>(index.values());
                        all.sort(Comparator.comparingLong(IndexEntry::arrival).thenComparing(IndexEntry::queueId));
                        l.replyTo().tell(all);
                        return Behaviors.same();
                    })
                    .onMessage(Lookup.class, l -> {
                        l.replyTo().tell(Optional.ofNullable(index.get(l.queueId())));
                        return Behaviors.same();
                    })
                    .onMessage(Due.class, d -> {
                        d.replyTo().tell(index.values().stream()
                                .filter(e -> isSchedulable(e) && e.nextAttempt() <= d.epochSecond())
                                .sorted(Comparator.comparingLong(IndexEntry::nextAttempt)
                                        .thenComparing(IndexEntry::queueId))
                                .limit(d.max())
                                .toList());
                        return Behaviors.same();
                    })
                    .onMessage(Take.class, this::take)
                    .onMessage(Reconfigure.class, this::reconfigure)
                    .onMessage(MoveCheckpoint.class, m -> {
                        checkpointer.start();
                        return Behaviors.same();
                    })
                    .onMessage(CheckpointRead.class, r -> {
                        checkpointer.finished(r).ifPresent(
                                waiters -> saver.save(index, checkpointer.tracker, r.journal(), waiters));
                        return Behaviors.same();
                    })
                    .onMessage(SaveIndex.class, s -> {
                        checkpointer.save(s.replyTo());
                        return Behaviors.same();
                    })
                    .onMessage(SaveDeadline.class, d -> {
                        checkpointer.deadline().ifPresent(waiters -> saver.save(index, checkpointer.tracker,
                                new NewestQueueEvents(checkpointer.tracker.readUpTo()), waiters));
                        return Behaviors.same();
                    })
                    .onMessage(SaveWritten.class, w -> {
                        saver.written(w);
                        return Behaviors.same();
                    })
                    .onMessage(Release.class, r -> {
                        if (taken.remove(r.queueId())) {
                            IndexEntry e = index.get(r.queueId());
                            if (e != null) schedule(e);
                        } else if (finishing.remove(r.queueId())) {
                            qmgr.info("{}: removed", r.queueId());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Subscribe.class, sub -> {
                        listener = sub.listener();
                        listener.tell(Eligible.INSTANCE);
                        return Behaviors.same();
                    })
                    .onMessage(AwaitReady.class, a -> {
                        a.replyTo().tell(index.size());
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> take(Take t) {
            List<IndexEntry> out = new ArrayList<>();
            while (out.size() < t.max() && !schedule.isEmpty()
                    && schedule.first().nextAttempt() <= t.epochSecond()) {
                IndexEntry e = index.get(schedule.pollFirst().queueId());
                taken.add(e.queueId());
                out.add(e);
            }
            t.replyTo().tell(out);
            return Behaviors.same();
        }

        private Behavior<Command> reconfigure(Reconfigure r) {
            if (r.policy().equals(policy)) return Behaviors.same();
            policy = r.policy();
            saver.policy(policy);
            int rescheduled = 0;
            for (Map.Entry<String, IndexEntry> m : index.entrySet()) {
                IndexEntry old = m.getValue();
                IndexEntry now = old.backedOffUnder(policy);
                if (now.nextAttempt() == old.nextAttempt()) continue;
                unschedule(old);
                m.setValue(now);
                schedule(now);
                rescheduled++;
            }
            log.info("queue index: {} deferred messages rescheduled under the new backoff settings", rescheduled);
            // some may be due now; the scheduler looks at once instead of at its next queue run
            if (listener != null && rescheduled > 0) listener.tell(Eligible.INSTANCE);
            return Behaviors.same();
        }

        private Behavior<Command> updated(Updated u) {
            IndexEntry old = index.get(u.queueId());
            if (old != null && old.seqNr() >= u.seqNr()) return Behaviors.same();
            Long done = recentlyDone.get(u.queueId());
            if (done != null && done >= u.seqNr()) return Behaviors.same();
            MessageState s = u.state();
            if (s.isDone()) {
                recentlyDone.put(u.queueId(), u.seqNr());
                boolean held = taken.remove(u.queueId());
                unschedule(old);
                if (index.remove(u.queueId()) != null && !s.deleted()) {
                    if (held) {
                        finishing.add(u.queueId());
                    } else {
                        qmgr.info("{}: removed", u.queueId());
                    }
                }
                return Behaviors.same();
            }
            if (s.received() == null) return Behaviors.same();
            if (old == null && u.seqNr() == 1 && s.queue() == QueueName.ACTIVE) {
                qmgr.info("{}: from=<{}>, size={}, nrcpt={} (queue active)", u.queueId(), s.received().sender(),
                        s.received().size(), s.received().recipients().size());
            }
            IndexEntry entry = IndexEntry.of(s, u.seqNr(), policy);
            unschedule(old);
            index.put(u.queueId(), entry);
            schedule(entry);
            if (listener != null && entry.queue() == QueueName.ACTIVE && !taken.contains(u.queueId())) {
                listener.tell(Eligible.INSTANCE);
            }
            return Behaviors.same();
        }
    }
}
