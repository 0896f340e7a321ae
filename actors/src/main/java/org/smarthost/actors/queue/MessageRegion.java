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
 *
 * <p>Idleness is judged here, from the commands the region routes, by one periodic sweep (as
 * Cluster Sharding's idle passivation does), not by a receive timeout in each actor: a receive
 * timeout is re-armed on every message an actor gets, journal replies included, and each
 * re-arm leaves a cancelled task in Pekko's scheduler wheel until it would have fired. At a
 * few thousand messages a second those were most of the objects surviving young collections.
 */
public final class MessageRegion extends AbstractBehavior<MessageRegion.Command> {

    public sealed interface Command { }

    /** Route {@code command} to message {@code queueId}, starting its actor if needed. */
    public record Deliver(String queueId, MessageActor.Command command) implements Command { }

    /** From an idle MessageActor. */
    public record Passivate(String queueId, ActorRef<MessageActor.Command> entity) implements Command { }

    private record EntityStopped(String queueId) implements Command { }

    private enum Sweep implements Command { INSTANCE }

    /** Number of running message actors, for tests and metrics. */
    public record CountActive(ActorRef<Integer> replyTo) implements Command { }

    private final ActorRef<QueueManager.Command> index;
    private final Clock clock;
    private final Duration idleTimeout;
    private final Map<String, Entity> entities = new HashMap<>();
    private final Map<String, List<MessageActor.Command>> passivating = new HashMap<>();

    /** A running message actor and when it was last sent a command (System.nanoTime). */
    private static final class Entity {
        final ActorRef<MessageActor.Command> ref;
        long lastCommand;

        Entity(ActorRef<MessageActor.Command> ref) {
            this.ref = ref;
        }
    }

    /**
     * @param idleTimeout a message actor that has had no command for this long is stopped
     *                    (within half as long again: the sweep runs every third of it, at most
     *                    every 10 s)
     */
    public static Behavior<Command> create(ActorRef<QueueManager.Command> index, Clock clock, Duration idleTimeout) {
        Duration sweep = idleTimeout.dividedBy(3);
        Duration every = sweep.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                : sweep.isZero() ? Duration.ofMillis(1) : sweep;
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Sweep.INSTANCE, every);
            return new MessageRegion(ctx, index, clock, idleTimeout);
        }));
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
                .onMessage(Sweep.class, s -> sweep())
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
            entity(d.queueId()).ref.tell(d.command());
        }
        return this;
    }

    private Behavior<Command> passivate(Passivate p) {
        Entity e = entities.get(p.queueId());
        if (e != null && p.entity().equals(e.ref)) stop(p.queueId(), e);
        return this;
    }

    private void stop(String queueId, Entity e) {
        if (passivating.containsKey(queueId)) return;
        passivating.put(queueId, new ArrayList<>());
        // Stop is queued behind every command already sent, so all of them are handled.
        e.ref.tell(MessageActor.Stop.INSTANCE);
    }

    private Behavior<Command> sweep() {
        long now = System.nanoTime();
        long idle = idleTimeout.toNanos();
        entities.forEach((queueId, e) -> {
            if (now - e.lastCommand >= idle) stop(queueId, e);
        });
        return this;
    }

    private Behavior<Command> stopped(EntityStopped s) {
        entities.remove(s.queueId());
        List<MessageActor.Command> buffer = passivating.remove(s.queueId());
        if (buffer != null && !buffer.isEmpty()) {
            ActorRef<MessageActor.Command> fresh = entity(s.queueId()).ref;
            buffer.forEach(fresh::tell);
        }
        return this;
    }

    /** The message's running actor, started if need be, with a command about to be sent to it. */
    private Entity entity(String queueId) {
        Entity e = entities.get(queueId);
        if (e == null) {
            ActorRef<MessageActor.Command> ref = getContext().spawn(
                    MessageActor.create(queueId, getContext().getSelf(), index, clock), queueId);
            getContext().watchWith(ref, new EntityStopped(queueId));
            e = new Entity(ref);
            entities.put(queueId, e);
        }
        e.lastCommand = System.nanoTime();
        return e;
    }
}
