package org.smarthost.actors.queue;

import java.time.Clock;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.smarthost.persistence.queue.QueueIndexCheckpointed;

/**
 * Keeps where the next start-up rebuild of the queue index may begin (see
 * {@link QueueIndexCheckpointed}). Only ever moves forward: one event per move, at most one per
 * server start and one per checkpoint interval (a minute). Only the newest matters, so a snapshot every
 * {@value #SNAPSHOT_EVERY} events drops the older ones: its own history stays short however long
 * the server runs (QueueQueries.indexCheckpoint reads the events that are left).
 */
final class QueueIndexCheckpoint extends EventSourcedBehavior<QueueIndexCheckpoint.Move, QueueIndexCheckpointed, Long> {

    /** Move the checkpoint to {@code afterOffset} if that is further on. */
    record Move(long afterOffset) { }

    static final int SNAPSHOT_EVERY = 10;

    private final Clock clock;

    private QueueIndexCheckpoint(Clock clock) {
        super(PersistenceId.ofUniqueId(QueueIndexCheckpointed.PERSISTENCE_ID));
        this.clock = clock;
    }

    static Behavior<Move> create(Clock clock) {
        return new QueueIndexCheckpoint(clock);
    }

    @Override
    public Long emptyState() {
        return 0L;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        // keeps the events since the previous snapshot, so the newest event is never deleted
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Move, QueueIndexCheckpointed, Long> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Move.class, (state, m) -> m.afterOffset() <= state ? Effect().none()
                        : Effect().persist(new QueueIndexCheckpointed(m.afterOffset(), clock.instant())))
                .build();
    }

    @Override
    public EventHandler<Long, QueueIndexCheckpointed> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(QueueIndexCheckpointed.class, (state, e) -> Math.max(state, e.afterOffset()))
                .build();
    }
}
