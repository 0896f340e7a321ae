package org.smarthost.actors.master;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One master.cf service: starts it, and closes it when the master says so. A service asked to
 * retire or shut down while still starting does so as soon as it is up.
 */
final class ServiceActor {

    sealed interface Command permits Retire, Shutdown, Started, StartFailed, Done {
    }

    /** Reload removed or changed this service: stop accepting now, let sessions run to their end. */
    record Retire() implements Command {
    }

    /** The mail system stops. */
    record Shutdown(Duration grace) implements Command {
    }

    private record Started(RunningService service) implements Command {
    }

    private record StartFailed(String reason) implements Command {
    }

    private record Done() implements Command {
    }

    private ServiceActor() {
    }

    static Behavior<Command> create(String key, ServiceLauncher launcher, ActorRef<Master.Command> master) {
        return Behaviors.setup(ctx -> {
            ctx.pipeToSelf(launcher.start(), (service, failure) -> failure == null
                    ? new Started(service) : new StartFailed(reason(failure)));
            return starting(ctx, key, master, null, false);
        });
    }

    private static Behavior<Command> starting(ActorContext<Command> ctx, String key, ActorRef<Master.Command> master,
                                              Duration closeGrace, boolean retire) {
        return Behaviors.receive(Command.class)
                .onMessage(Retire.class, r -> starting(ctx, key, master, Duration.ZERO, true))
                .onMessage(Shutdown.class, s -> starting(ctx, key, master, s.grace(), false))
                .onMessage(Started.class, s -> {
                    if (closeGrace == null) {
                        master.tell(new Master.ServiceUp(key, ctx.getSelf(), s.service().endpoint()));
                        return running(ctx, key, master, s.service());
                    }
                    // closed before it came up: still answer the Apply that started it
                    master.tell(new Master.ServiceUp(key, ctx.getSelf(), s.service().endpoint()));
                    return close(ctx, key, master, s.service(), closeGrace, retire);
                })
                .onMessage(StartFailed.class, f -> {
                    master.tell(new Master.ServiceFailed(key, ctx.getSelf(), f.reason()));
                    if (retire) master.tell(new Master.ServiceRetired(key));
                    master.tell(new Master.ServiceStopped(key, ctx.getSelf()));
                    return Behaviors.stopped();
                })
                .build();
    }

    private static Behavior<Command> running(ActorContext<Command> ctx, String key, ActorRef<Master.Command> master,
                                             RunningService service) {
        return Behaviors.receive(Command.class)
                .onMessage(Retire.class, r -> close(ctx, key, master, service, null, true))
                .onMessage(Shutdown.class, s -> close(ctx, key, master, service, s.grace(), false))
                .build();
    }

    private static Behavior<Command> close(ActorContext<Command> ctx, String key, ActorRef<Master.Command> master,
                                           RunningService service, Duration grace, boolean retire) {
        if (retire) {
            service.stopAccepting();
            master.tell(new Master.ServiceRetired(key));
            ctx.pipeToSelf(service.drain(), (ok, failure) -> new Done());
        } else {
            ctx.pipeToSelf(service.shutdown(grace), (ok, failure) -> new Done());
        }
        return Behaviors.receive(Command.class)
                .onMessage(Shutdown.class, s -> {
                    // the mail system stops while a retired service drains: its sessions get the stop grace
                    ctx.pipeToSelf(service.shutdown(s.grace()), (ok, failure) -> new Done());
                    return Behaviors.same();
                })
                .onMessage(Done.class, d -> {
                    master.tell(new Master.ServiceStopped(key, ctx.getSelf()));
                    return Behaviors.stopped();
                })
                .onMessage(Retire.class, r -> Behaviors.same())
                .build();
    }

    private static String reason(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
