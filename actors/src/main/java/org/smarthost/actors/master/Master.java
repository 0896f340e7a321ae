package org.smarthost.actors.master;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service supervisor, Postfix's master(8) in one process: one child per master.cf service.
 *
 * <p>{@link Apply} brings the running services in line with a master.cf: at start-up it starts
 * everything; on reload it opens new services, closes removed ones and replaces changed ones
 * (the old listener stops accepting, its established sessions run to completion), and leaves
 * unchanged ones alone. {@link Stop} ends every service with a grace period.
 */
public final class Master extends AbstractBehavior<Master.Command> {

    private static final Logger log = LoggerFactory.getLogger("postfix/master");

    public sealed interface Command permits Apply, Stop, ServiceUp, ServiceFailed, ServiceRetired, ServiceStopped {
    }

    /**
     * Run exactly {@code services}; factories are looked up by command name. Replies once every
     * new service runs or failed.
     */
    public record Apply(List<ServiceEntry> services, Map<String, ServiceFactory> factories,
                        ActorRef<Applied> replyTo) implements Command {
        public Apply {
            services = List.copyOf(services);
            factories = Map.copyOf(factories);
        }
    }

    /** Outcome of {@link Apply}; {@code failures} holds Postfix-style messages, empty on success. */
    public record Applied(List<String> endpoints, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    /** Stop every service: sessions get {@code grace} to finish, then a 421. */
    public record Stop(Duration grace, ActorRef<Stopped> replyTo) implements Command {
    }

    public record Stopped() {
    }

    record ServiceUp(String key, ActorRef<ServiceActor.Command> child, String endpoint) implements Command {
    }

    record ServiceFailed(String key, ActorRef<ServiceActor.Command> child, String reason) implements Command {
    }

    record ServiceRetired(String key) implements Command {
    }

    record ServiceStopped(String key, ActorRef<ServiceActor.Command> child) implements Command {
    }

    private record Running(ServiceLauncher launcher, ActorRef<ServiceActor.Command> child) {
    }

    /** An Apply waiting for its new services to come up. */
    private static final class Pending {
        final ActorRef<Applied> replyTo;
        final Map<String, ServiceLauncher> toStart = new LinkedHashMap<>();
        final List<String> awaiting = new ArrayList<>();
        final List<String> retiring = new ArrayList<>();
        final List<String> endpoints = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        Pending(ActorRef<Applied> replyTo) {
            this.replyTo = replyTo;
        }
    }

    private final Map<String, Running> running = new HashMap<>();
    private final List<Apply> queued = new ArrayList<>();
    private Pending pending;
    private int generation;
    /** Services closed by reload whose sessions still run. */
    private final java.util.Set<ActorRef<ServiceActor.Command>> draining = new java.util.HashSet<>();
    private ActorRef<Stopped> stopReplyTo;
    private final java.util.Set<ActorRef<ServiceActor.Command>> stopAwaiting = new java.util.HashSet<>();

    public static Behavior<Command> create() {
        return Behaviors.setup(Master::new);
    }

    private Master(ActorContext<Command> context) {
        super(context);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Apply.class, this::onApply)
                .onMessage(ServiceRetired.class, this::onRetired)
                .onMessage(ServiceUp.class, this::onUp)
                .onMessage(ServiceFailed.class, this::onFailed)
                .onMessage(Stop.class, this::onStop)
                .onMessage(ServiceStopped.class, this::onStopped)
                .build();
    }

    private Behavior<Command> onApply(Apply apply) {
        if (stopReplyTo != null) {
            apply.replyTo().tell(new Applied(List.of(), List.of("the mail system is stopping")));
            return this;
        }
        if (pending != null) {          // one reconfiguration at a time, in order
            queued.add(apply);
            return this;
        }
        generation++;
        Pending p = new Pending(apply.replyTo());
        Map<String, ServiceLauncher> wanted = new LinkedHashMap<>();
        for (ServiceEntry entry : apply.services()) {
            ServiceFactory factory = apply.factories().get(entry.command());
            if (factory == null) {
                if (!PostfixDaemons.IN_PROCESS.contains(entry.command())) {
                    log.warn("warning: master.cf: service {}: command \"{}\" is not supported by smarthost; "
                            + "service ignored", entry.key(), entry.command());
                }
                continue;
            }
            try {
                wanted.put(entry.key(), factory.prepare(entry));
            } catch (Exception e) {
                p.failures.add("service " + entry.key() + ": " + e.getMessage());
            }
        }
        if (!p.failures.isEmpty() && running.isEmpty()) {
            // start-up with a broken master.cf: start nothing, as Postfix's master refuses to run
            apply.replyTo().tell(new Applied(List.of(), List.copyOf(p.failures)));
            return this;
        }
        for (var current : List.copyOf(running.entrySet())) {
            ServiceLauncher next = wanted.get(current.getKey());
            if (next != null && next.equals(current.getValue().launcher())) {
                continue;               // unchanged: keep listening
            }
            // removed or changed: close the listener first so a replacement can bind its address
            running.remove(current.getKey());
            current.getValue().child().tell(new ServiceActor.Retire());
            draining.add(current.getValue().child());
            p.retiring.add(current.getKey());
        }
        wanted.forEach((key, launcher) -> {
            if (!running.containsKey(key)) p.toStart.put(key, launcher);
        });
        pending = p;
        startWhenRetired();
        return this;
    }

    private Behavior<Command> onRetired(ServiceRetired retired) {
        if (pending != null) {
            pending.retiring.remove(retired.key());
            startWhenRetired();
        }
        return this;
    }

    private void startWhenRetired() {
        Pending p = pending;
        if (!p.retiring.isEmpty()) return;
        p.toStart.forEach((key, launcher) -> {
            String name = "service-" + generation + "-" + URLEncoder.encode(key, StandardCharsets.UTF_8);
            ActorRef<ServiceActor.Command> child =
                    getContext().spawn(ServiceActor.create(key, launcher, getContext().getSelf()), name);
            running.put(key, new Running(launcher, child));
            p.awaiting.add(key);
        });
        p.toStart.clear();
        completeIfDone();
    }

    private Behavior<Command> onUp(ServiceUp up) {
        if (pending != null && pending.awaiting.remove(up.key())) {
            if (!up.endpoint().isEmpty()) pending.endpoints.add(up.endpoint());
            completeIfDone();
        }
        return this;
    }

    private Behavior<Command> onFailed(ServiceFailed failed) {
        Running r = running.get(failed.key());
        if (r != null && r.child().equals(failed.child())) running.remove(failed.key());
        if (pending != null && pending.awaiting.remove(failed.key())) {
            pending.failures.add("service " + failed.key() + ": " + failed.reason());
            completeIfDone();
        } else {
            log.warn("warning: service {} stopped: {}", failed.key(), failed.reason());
        }
        return this;
    }

    private void completeIfDone() {
        Pending p = pending;
        if (!p.retiring.isEmpty() || !p.awaiting.isEmpty()) return;
        pending = null;
        p.replyTo.tell(new Applied(List.copyOf(p.endpoints), List.copyOf(p.failures)));
        if (!queued.isEmpty()) getContext().getSelf().tell(queued.remove(0));
    }

    private Behavior<Command> onStop(Stop stop) {
        if (stopReplyTo != null) return this;
        stopReplyTo = stop.replyTo();
        for (Apply waiting : queued) waiting.replyTo().tell(new Applied(List.of(), List.of("the mail system is stopping")));
        queued.clear();
        running.values().forEach(r -> stopAwaiting.add(r.child()));
        stopAwaiting.addAll(draining);
        stopAwaiting.forEach(child -> child.tell(new ServiceActor.Shutdown(stop.grace())));
        running.clear();
        if (stopAwaiting.isEmpty()) stopReplyTo.tell(new Stopped());
        return this;
    }

    private Behavior<Command> onStopped(ServiceStopped stopped) {
        draining.remove(stopped.child());
        Running r = running.get(stopped.key());
        if (r != null && r.child().equals(stopped.child())) running.remove(stopped.key());
        if (stopReplyTo != null && stopAwaiting.remove(stopped.child()) && stopAwaiting.isEmpty()) {
            stopReplyTo.tell(new Stopped());
        }
        return this;
    }
}
