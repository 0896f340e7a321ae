package org.smarthost.actors.queue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.smarthost.persistence.queue.QueueIdGenerator;

/**
 * Starts MessageActors on demand and stops idle ones, like a single-node shard: commands for a
 * passivating message are buffered until it has stopped, then it is started again for them,
 * so no command is lost to a stopping actor. (Cluster Sharding replaces this class when
 * several nodes share the queue.)
 */
public final class MessageRegion extends AbstractBehavior<MessageRegion.Command> {

    public sealed interface Command { }

    /** Route {@code command} to message {@code queueId}, starting its actor if needed. */
    public record Deliver(String queueId, MessageActor.Command command) implements Command { }

    /** From an idle MessageActor. */
    public record Passivate(String queueId, ActorRef<MessageActor.Command> entity) implements Command { }

    private record EntityStopped(String queueId) implements Command { }

    /** Number of running message actors, for tests and metrics. */
    public record CountActive(ActorRef<Integer> replyTo) implements Command { }

    private final ActorRef<QueueManager.Command> index;
    private final Clock clock;
    private final Duration idleTimeout;
    private final Map<String, ActorRef<MessageActor.Command>> entities = new HashMap<>();
    private final Map<String, List<MessageActor.Command>> passivating = new HashMap<>();

    public static Behavior<Command> create(ActorRef<QueueManager.Command> index, Clock clock, Duration idleTimeout) {
        return Behaviors.setup(ctx -> new MessageRegion(ctx, index, clock, idleTimeout));
    }

    private MessageRegion(ActorContext<Command> ctx, ActorRef<QueueManager.Command> index, Clock clock,
                          Duration idleTimeout) {
        super(ctx);
        this.index = index;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Deliver.class, this::deliver)
                .onMessage(Passivate.class, this::passivate)
                .onMessage(EntityStopped.class, this::stopped)
                .onMessage(CountActive.class, c -> {
                    c.replyTo().tell(entities.size());
                    return this;
                })
                .build();
    }

    private Behavior<Command> deliver(Deliver d) {
        if (!QueueIdGenerator.isValid(d.queueId())) {
            // never let a bad name reach spawn(): that would stop the region
            getContext().getLog().warn("warning: invalid mail queue id: {}", d.queueId());
            return this;
        }
        List<MessageActor.Command> buffer = passivating.get(d.queueId());
        if (buffer != null) {
            buffer.add(d.command());
        } else {
            entity(d.queueId()).tell(d.command());
        }
        return this;
    }

    private Behavior<Command> passivate(Passivate p) {
        if (p.entity().equals(entities.get(p.queueId())) && !passivating.containsKey(p.queueId())) {
            passivating.put(p.queueId(), new ArrayList<>());
            // Stop is queued behind every command already sent, so all of them are handled.
            p.entity().tell(MessageActor.Stop.INSTANCE);
        }
        return this;
    }

    private Behavior<Command> stopped(EntityStopped s) {
        entities.remove(s.queueId());
        List<MessageActor.Command> buffer = passivating.remove(s.queueId());
        if (buffer != null && !buffer.isEmpty()) {
            ActorRef<MessageActor.Command> fresh = entity(s.queueId());
            buffer.forEach(fresh::tell);
        }
        return this;
    }

    private ActorRef<MessageActor.Command> entity(String queueId) {
        ActorRef<MessageActor.Command> ref = entities.get(queueId);
        if (ref == null) {
            ref = getContext().spawn(MessageActor.create(queueId, getContext().getSelf(), index, clock, idleTimeout),
                    queueId);
            getContext().watchWith(ref, new EntityStopped(queueId));
            entities.put(queueId, ref);
        }
        return ref;
    }
}
