package org.smarthost.actors.queue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
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
 */
public final class QueueManager {

    private static final Logger qmgr = LoggerFactory.getLogger("postfix/qmgr");

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

    private record Rebuilt(Rebuild journal) implements Command { }

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
    static final class Rebuild {
        final long afterOffset;
        final HashMap<String, Folded> messages = new HashMap<>();
        long lastOffset;
        /** False when the journal's offsets are not sequence numbers. */
        boolean offsetsKnown = true;

        Rebuild(long afterOffset) {
            this.afterOffset = afterOffset;
            this.lastOffset = afterOffset;
        }

        /** A message still queued whose MessageReceived came before the offset this read began at. */
        Optional<String> cutShort() {
            if (afterOffset <= 0) return Optional.empty();
            return messages.entrySet().stream().filter(e -> e.getValue().isPartial()).map(Map.Entry::getKey)
                    .findFirst();
        }
    }

    /** How often a running server moves the index checkpoint on, so a restart never reads much more. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofMinutes(10);

    public static Behavior<Command> create(QueueQueries queries, BackoffPolicy policy) {
        return create(queries, policy, Clock.systemUTC(), CHECKPOINT_INTERVAL);
    }

    static Behavior<Command> create(QueueQueries queries, BackoffPolicy policy, Clock clock,
                                    Duration checkpointInterval) {
        return Behaviors.withStash(1_000_000, stash -> Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorSystem<Void> system = ctx.getSystem(); // the context is for the actor's own thread only
            ctx.pipeToSelf(queries.indexCheckpoint(system).thenCompose(from -> read(system, queries, from)),
                    QueueManager::rebuilt);
            timers.startTimerWithFixedDelay(MoveCheckpoint.INSTANCE, checkpointInterval);
            return rebuilding(ctx, stash, new Checkpointer(ctx, queries, clock), policy);
        })));
    }

    /** Timer: read the history since the checkpoint and move it on. */
    private enum MoveCheckpoint implements Command { INSTANCE }

    private record CheckpointRead(Rebuild journal, Throwable failure) implements Command { }

    /**
     * Moves the index checkpoint: after the rebuild, then every interval from a background read of
     * the queue events since the previous read (the same fold as the rebuild; the index itself is
     * not touched). Events written after such a read have later offsets, so they are always after
     * the checkpoint it gives.
     */
    private static final class Checkpointer {
        private final ActorContext<Command> ctx;
        private final QueueQueries queries;
        private final Clock clock;
        private final IndexCheckpointTracker tracker = new IndexCheckpointTracker();
        private ActorRef<QueueIndexCheckpoint.Move> store;
        private long at;
        private boolean reading;

        Checkpointer(ActorContext<Command> ctx, QueueQueries queries, Clock clock) {
            this.ctx = ctx;
            this.queries = queries;
            this.clock = clock;
        }

        CompletionStage<Rebuild> readAll() {
            return read(ctx.getSystem(), queries, 0);
        }

        /** After the start-up rebuild (read from the persisted checkpoint, already checked whole). */
        void rebuilt(Rebuild journal) {
            at = journal.afterOffset;
            absorb(journal);
        }

        /** Takes in a read and moves the checkpoint on if it allows. */
        private void absorb(Rebuild journal) {
            tracker.absorb(journal);
            long next = tracker.checkpoint();
            if (next <= at) return;
            if (store == null) store = ctx.spawn(QueueIndexCheckpoint.create(clock), "index-checkpoint");
            store.tell(new QueueIndexCheckpoint.Move(next));
            at = next;
        }

        void start() {
            if (reading || !tracker.usable()) return;
            reading = true;
            ctx.pipeToSelf(read(ctx.getSystem(), queries, tracker.readUpTo()), CheckpointRead::new);
        }

        void finished(CheckpointRead r) {
            reading = false;
            if (r.failure() != null) {
                qmgr.warn("warning: cannot move the queue index checkpoint: {}", r.failure().toString());
            } else {
                absorb(r.journal());
            }
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
        long offset = -1;
        if (env.offset() instanceof Sequence s) {
            offset = s.value();
            acc.lastOffset = Math.max(acc.lastOffset, offset);
        } else {
            acc.offsetsKnown = false;
        }
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
                                                Checkpointer checkpointer, BackoffPolicy policy) {
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
                    Map<String, Long> recentlyDone = Ready.recentlyDoneMap();
                    Map<String, IndexEntry> index = index(journal.messages, policy, recentlyDone);
                    ctx.getLog().debug("queue index rebuilt: {} messages from the events after tag offset {}",
                            index.size(), journal.afterOffset);
                    Ready ready = new Ready(index, policy, recentlyDone, checkpointer);
                    return stash.unstashAll(ready.behavior());
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
        private final BackoffPolicy policy;
        // Messages the scheduler holds (between Take and Release).
        private final java.util.Set<String> taken = new java.util.HashSet<>();
        // Finished while the scheduler still held them: "removed" waits for its Release, which
        // follows the delivery status lines, as Postfix's qmgr logs it after the agent's status.
        private final java.util.Set<String> finishing = new java.util.HashSet<>();
        private ActorRef<Eligible> listener;
        // Recently finished messages, so that a late, stale update cannot bring one back.
        private final Map<String, Long> recentlyDone;

        static Map<String, Long> recentlyDoneMap() {
            return new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > 10_000;
                }
            };
        }

        // Messages eligible for a Take, earliest next attempt first: a Take reads only the due
        // head of this set, so its cost does not grow with the number of deferred messages.
        private final java.util.NavigableSet<ScheduleKey> schedule = new java.util.TreeSet<>();

        private final Checkpointer checkpointer;

        Ready(Map<String, IndexEntry> index, BackoffPolicy policy, Map<String, Long> recentlyDone,
              Checkpointer checkpointer) {
            this.checkpointer = checkpointer;
            this.index = index;
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
                    .onMessage(MoveCheckpoint.class, m -> {
                        checkpointer.start();
                        return Behaviors.same();
                    })
                    .onMessage(CheckpointRead.class, r -> {
                        checkpointer.finished(r);
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
