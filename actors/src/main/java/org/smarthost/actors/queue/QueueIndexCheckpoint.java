package org.smarthost.actors.queue;

import java.time.Clock;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.smarthost.persistence.queue.QueueIndexCheckpointed;

/**
 * Keeps where the next start-up rebuild of the queue index may begin (see
 * {@link QueueIndexCheckpointed}). Only ever moves forward: one event per move, at most one per
 * server start and one per checkpoint interval.
 */
final class QueueIndexCheckpoint extends EventSourcedBehavior<QueueIndexCheckpoint.Move, QueueIndexCheckpointed, Long> {

    /** Move the checkpoint to {@code afterOffset} if that is further on. */
    record Move(long afterOffset) { }

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
