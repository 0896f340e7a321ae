package org.smarthost.actors.queue;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.smarthost.persistence.CborSerializable;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageDeleted;
import org.smarthost.persistence.queue.MessageExpired;
import org.smarthost.persistence.queue.MessageHeld;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.MessageReleased;
import org.smarthost.persistence.queue.MessageRequeued;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueName;

/**
 * One queued message, event sourced under {@code message|<queueId>}. Its state is its queue
 * (incoming, active, deferred, hold, corrupt, done); command handlers are grouped per state.
 * Every persisted event is reported to the queue index. Its region stops it once it has had no
 * command for a while (and at once when it is done), so waiting mail costs no actor.
 */
public final class MessageActor extends EventSourcedBehavior<MessageActor.Command, QueueEvent, MessageState> {

    /** Commands; serializable so the entity can later live behind Cluster Sharding. */
    public sealed interface Command extends CborSerializable { }

    /**
     * Persist the arrival of a received message; replies only after the (synced) journal
     * write, so smtpd's 250 follows the fsync. Repeating the same Accept is acknowledged again.
     * With a {@code holdReason} (a HOLD action of header/body_checks; "" without text) the
     * message arrives in the hold queue.
     */
    public record Accept(MessageReceived received, ActorRef<StatusReply<Done>> replyTo, String holdReason)
            implements Command {
        /** Into the active queue. */
        public Accept(MessageReceived received, ActorRef<StatusReply<Done>> replyTo) {
            this(received, replyTo, null);
        }
    }

    /** What postsuper can do to a message. */
    public enum AdminAction { HOLD, RELEASE, REQUEUE, DELETE, EXPIRE }

    /** An administrator's request (postsuper); the reply says whether anything changed. */
    public record Admin(AdminAction action, ActorRef<AdminResult> replyTo) implements Command { }

    /**
     * @param applied false when the message does not exist, is done, or already is in the
     *                requested state (postsuper counts only applied changes)
     */
    public record AdminResult(String queueId, boolean applied, QueueName queue) implements CborSerializable { }

    /**
     * Persist an event produced by delivery (DeliveryAttempted, BounceQueued, DelayWarningSent,
     * MessageCompleted, MessageCorrupted). Rejected for messages that are not in the queue.
     */
    public record Record(QueueEvent event, ActorRef<StatusReply<MessageState>> replyTo) implements Recording { }

    /** A command that records a delivery event: refused alike while the message is not queued. */
    public sealed interface Recording extends Command permits Record, RecordLast {
        ActorRef<StatusReply<MessageState>> replyTo();
    }

    /**
     * Persist a delivery attempt that may be the message's last: when it leaves no recipient
     * pending, MessageCompleted is persisted with it in the same atomic write, which saves the
     * queue manager a second journal write (and fsync) per delivered message. The reply is the
     * state after both.
     */
    public record RecordLast(QueueEvent event, java.time.Instant completedAt,
                             ActorRef<StatusReply<MessageState>> replyTo) implements Recording { }

    public record GetState(ActorRef<MessageState> replyTo) implements Command { }

    /**
     * Sent when smtpd opens the transaction (first accepted RCPT): starting the actor and its
     * journal recovery then overlaps the DATA transfer instead of delaying the 250 after it.
     */
    public enum Prepare implements Command { INSTANCE }

    /** The transaction that sent {@link Prepare} ended without an Accept: stop the empty actor now. */
    public enum Abandon implements Command { INSTANCE }

    /** Sent by the region after this actor asked to be passivated; handled after earlier commands. */
    public enum Stop implements Command { INSTANCE }

    private final String queueId;
    private final ActorContext<Command> context;
    private final ActorRef<MessageRegion.Command> region;
    private final ActorRef<QueueManager.Command> index;
    private final Clock clock;

    public static Behavior<Command> create(String queueId, ActorRef<MessageRegion.Command> region,
                                           ActorRef<QueueManager.Command> index, Clock clock) {
        return Behaviors.setup(ctx -> new MessageActor(queueId, ctx, region, index, clock));
    }

    private MessageActor(String queueId, ActorContext<Command> context, ActorRef<MessageRegion.Command> region,
                         ActorRef<QueueManager.Command> index, Clock clock) {
        super(PersistenceId.ofUniqueId(QueueEvent.persistenceId(queueId)));
        this.queueId = queueId;
        this.context = context;
        this.region = region;
        this.index = index;
        this.clock = clock;
    }

    /** No snapshots are taken of a message, so recovery does not ask the snapshot store for one. */
    @Override
    public Recovery recovery() {
        return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
    }

    @Override
    public MessageState emptyState() {
        return MessageState.incoming(queueId);
    }

    @Override
    public Set<String> tagsFor(QueueEvent event) {
        return Set.of(QueueEvent.TAG);
    }

    @Override
    public CommandHandler<Command, QueueEvent, MessageState> commandHandler() {
        CommandHandlerBuilder<Command, QueueEvent, MessageState> b = newCommandHandlerBuilder();

        b.forState(s -> s.queue() == QueueName.INCOMING)
                .onCommand(Accept.class, this::accept)
                .onCommand(Admin.class, this::notApplied)
                .onCommand(Abandon.class, (s, c) -> {
                    region.tell(new MessageRegion.Passivate(queueId, context.getSelf()));
                    return Effect().none();
                })
                .onCommand(Recording.class, (s, c) -> Effect().reply(c.replyTo(),
                        StatusReply.error("message " + queueId + " was never received")));

        b.forState(MessageState::isDone)
                .onCommand(Accept.class, this::acceptAgain)
                .onCommand(Admin.class, this::notApplied)
                .onCommand(Recording.class, (s, c) -> Effect().reply(c.replyTo(),
                        StatusReply.error("message " + queueId + " is no longer queued")));

        b.forState(s -> s.queue() == QueueName.HOLD)
                .onCommand(Admin.class, (s, c) -> switch (c.action()) {
                    case HOLD -> notApplied(s, c);
                    case RELEASE -> persistAdmin(new MessageReleased(queueId, clock.instant()), c);
                    default -> common(c);
                });

        b.forState(s -> s.queue() == QueueName.ACTIVE || s.queue() == QueueName.DEFERRED
                        || s.queue() == QueueName.CORRUPT)
                .onCommand(Admin.class, (s, c) -> switch (c.action()) {
                    case HOLD -> persistAdmin(new MessageHeld(queueId, clock.instant(), null), c);
                    case RELEASE -> notApplied(s, c);
                    default -> common(c);
                });

        b.forAnyState()
                .onCommand(Accept.class, this::acceptAgain)
                .onCommand(Record.class, (s, c) -> Effect().persist(c.event())
                        .thenRun(this::reportToIndex)
                        .thenReply(c.replyTo(), StatusReply::success))
                .onCommand(RecordLast.class, this::recordLast)
                .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s))
                .onCommand(Prepare.class, (s, c) -> Effect().none())
                .onCommand(Abandon.class, (s, c) -> Effect().none())
                .onCommand(Stop.class, (s, c) -> Effect().stop());
        return b.build();
    }

    private ReplyEffect<QueueEvent, MessageState> accept(MessageState state, Accept c) {
        if (!c.received().queueId().equals(queueId)) {
            return Effect().reply(c.replyTo(), StatusReply.error("queue ID mismatch"));
        }
        // A HOLD action of header/body_checks: into the hold queue in the same atomic write, so
        // the message is never active (Postfix's cleanup writes it to the hold queue directly).
        List<QueueEvent> events = c.holdReason() == null ? List.of(c.received())
                : List.of(c.received(), new MessageHeld(queueId, c.received().at(),
                        c.holdReason().isEmpty() ? null : c.holdReason()));
        return Effect().persist(events)
                .thenRun(this::reportToIndex)
                .thenReply(c.replyTo(), s -> StatusReply.ack());
    }

    private ReplyEffect<QueueEvent, MessageState> recordLast(MessageState state, RecordLast c) {
        List<QueueEvent> events = state.apply(c.event()).pending().isEmpty()
                ? List.of(c.event(), new MessageCompleted(queueId, c.completedAt()))
                : List.of(c.event());
        return Effect().persist(events)
                .thenRun(this::reportToIndex)
                .thenReply(c.replyTo(), StatusReply::success);
    }

    /** A retried Accept after a lost reply: the message is already safe. */
    private ReplyEffect<QueueEvent, MessageState> acceptAgain(MessageState state, Accept c) {
        return state.received() != null && state.received().equals(c.received())
                ? Effect().reply(c.replyTo(), StatusReply.ack())
                : Effect().reply(c.replyTo(), StatusReply.error("queue ID " + queueId + " already in use"));
    }

    /** Requeue, delete and expire work the same in every queued state. */
    private ReplyEffect<QueueEvent, MessageState> common(Admin c) {
        return switch (c.action()) {
            case REQUEUE -> persistAdmin(new MessageRequeued(queueId, clock.instant()), c);
            case DELETE -> persistAdmin(new MessageDeleted(queueId, clock.instant()), c);
            case EXPIRE -> persistAdmin(new MessageExpired(queueId, clock.instant()), c);
            default -> throw new IllegalStateException("unexpected " + c.action());
        };
    }

    private ReplyEffect<QueueEvent, MessageState> persistAdmin(QueueEvent event, Admin c) {
        return Effect().persist(event)
                .thenRun(this::reportToIndex)
                .thenReply(c.replyTo(), s -> new AdminResult(queueId, true, s.queue()));
    }

    private ReplyEffect<QueueEvent, MessageState> notApplied(MessageState s, Admin c) {
        return Effect().reply(c.replyTo(), new AdminResult(queueId, false, s.queue()));
    }

    private void reportToIndex(MessageState state) {
        index.tell(new QueueManager.Updated(queueId, lastSequenceNumber(context), state));
        // A finished message has nothing left to do: free its actor now rather than after the
        // idle timeout, or a busy server keeps idleTimeout x rate dead actors on the heap (and
        // the collector copies them around).
        if (state.isDone()) region.tell(new MessageRegion.Passivate(queueId, context.getSelf()));
    }

    @Override
    public EventHandler<MessageState, QueueEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(MessageState::apply);
    }

}
