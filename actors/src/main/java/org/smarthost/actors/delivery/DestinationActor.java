package org.smarthost.actors.delivery;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.persistence.CborSerializable;

/**
 * One per transport:nexthop: Postfix qmgr(8)'s per-destination concurrency scheduler
 * (SCHEDULER_README). Jobs wait in FIFO order and are handed to the {@link DeliveryAgent}
 * while fewer than {@code window} deliveries are in progress. Each result is feedback: a
 * working destination grows the window (up to the limit and to busy + initial concurrency),
 * a destination problem shrinks it; after the failed cohort limit the destination is dead, the
 * waiting jobs and every new job are deferred with "delivery temporarily suspended: reason"
 * until minimal_backoff_time has passed (or a delivery still in flight succeeds, or an
 * administrator flushes the queue: {@link Enable}). A failing
 * agent (exception) is not feedback about the destination: the job is deferred with "unknown
 * mail transport error" and marked {@link DeliveryFinished#transportFailure()}. (qmgr would also
 * suspend the whole transport for transport_retry_time; that parameter is not implemented yet,
 * and the queue manager does not act on the mark.)
 *
 * <p>Persisted: window, hysteresis counters, dead status. Not persisted: waiting and busy
 * jobs; after a restart the queue manager resubmits the messages' jobs.
 */
public final class DestinationActor
        extends EventSourcedBehavior<DestinationActor.Command, DestinationEvent, DestinationState> {

    /** Prefix Postfix puts in front of a destination problem when it suspends a destination. */
    public static final String SUSPENDED = "delivery temporarily suspended: ";

    private static final Logger log = LoggerFactory.getLogger("postfix/qmgr");

    public sealed interface Command extends CborSerializable { }

    /** Deliver this job when a slot is free; the answer is exactly one {@link DeliveryFinished}. */
    public record Deliver(DeliveryJob job, ActorRef<DeliveryFinished> replyTo) implements Command { }

    /**
     * "postqueue -f" and friends (qmgr_enable_queue(), Postfix's QMGR_REQ_FLUSH_DEAD): a
     * destination that died at or before {@code flushedAt} is alive again at once, with the
     * window the revival timer would give it. One that died later stays dead: the request
     * reaches a destination that was passivated at the time only when it is recreated.
     */
    public record Enable(Instant flushedAt) implements Command { }

    /** Drop waiting jobs of this message (deleted, held, expired). Jobs in flight complete. */
    public record Cancel(String queueId) implements Command { }

    public record GetStatus(ActorRef<DestinationStatus> replyTo) implements Command { }

    /**
     * Stop if idle (nothing waiting or in flight), like qmgr_queue_done(); otherwise ignored.
     * A dead destination may stop too: its state is in the journal and its revival timer is
     * re-armed when it is recreated.
     */
    public record Passivate() implements Command { }

    private record AgentDone(String jobId, DeliveryResult result, String failure) implements Command { }

    private enum Wake implements Command { DEAD_TIMER, RATE_TIMER }

    private record Pending(DeliveryJob job, ActorRef<DeliveryFinished> replyTo) { }

    private record InFlight(DeliveryJob job, ActorRef<DeliveryFinished> replyTo, Instant started) { }

    private final String transport;
    private final String nexthop;
    private final DestinationSettings settings;
    private final DeliveryAgent agent;
    private final Clock clock;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;

    private final LinkedHashMap<String, Pending> waiting = new LinkedHashMap<>();
    private final Map<String, InFlight> busy = new HashMap<>();
    private final OnDemandConnectionCache connectionCache = new OnDemandConnectionCache();
    private boolean rateSuspended;

    public static PersistenceId persistenceId(String transport, String nexthop) {
        return PersistenceId.ofUniqueId("destination|" + transport + ":" + nexthop);
    }

    public static Behavior<Command> create(String transport, String nexthop, DestinationSettings settings,
                                           DeliveryAgent agent, Clock clock) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new DestinationActor(transport, nexthop, settings, agent, clock, context, timers)));
    }

    private DestinationActor(String transport, String nexthop, DestinationSettings settings, DeliveryAgent agent,
                             Clock clock, ActorContext<Command> context, TimerScheduler<Command> timers) {
        super(persistenceId(transport, nexthop));
        this.transport = transport;
        this.nexthop = nexthop;
        this.settings = settings;
        this.agent = agent;
        this.clock = clock;
        this.context = context;
        this.timers = timers;
    }

    @Override
    public DestinationState emptyState() {
        return DestinationState.initial(settings.initialConcurrency());
    }

    @Override
    public CommandHandler<Command, DestinationEvent, DestinationState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Deliver.class, this::onDeliver)
                .onCommand(AgentDone.class, this::onAgentDone)
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(GetStatus.class, this::onGetStatus)
                .onCommand(Wake.class, this::onWake)
                .onCommand(Enable.class, (state, cmd) -> state.deadBefore(cmd.flushedAt()) ? revive() : Effect().none())
                .onCommand(Passivate.class, (state, cmd) ->
                        busy.isEmpty() && waiting.isEmpty() ? Effect().stop() : Effect().none())
                .build();
    }

    @Override
    public EventHandler<DestinationState, DestinationEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(DestinationState::apply);
    }

    @Override
    public SignalHandler<DestinationState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.dead()) scheduleRevival(state);
                })
                .build();
    }

    // --- commands -------------------------------------------------------------------------

    private Effect<DestinationEvent, DestinationState> onDeliver(DestinationState state, Deliver cmd) {
        String id = cmd.job().jobId();
        if (busy.containsKey(id)) {
            InFlight f = busy.get(id);
            busy.put(id, new InFlight(f.job(), cmd.replyTo(), f.started()));   // answer the latest asker
            return Effect().none();
        }
        if (state.dead()) {
            Instant now = clock.instant();
            DestinationProblem problem = new DestinationProblem(state.deadStatus(), state.deadReason());
            cmd.replyTo().tell(new DeliveryFinished(cmd.job(),
                    DeliveryResult.allDeferred(cmd.job(), problem, SUSPENDED + state.deadReason()), false, false,
                    now, now));
            return Effect().none();
        }
        waiting.put(id, new Pending(cmd.job(), cmd.replyTo()));
        return Effect().none().thenRun(this::dispatch);
    }

    private Effect<DestinationEvent, DestinationState> onAgentDone(DestinationState state, AgentDone done) {
        InFlight flight = busy.get(done.jobId());
        if (flight == null) return Effect().none();
        DeliveryJob job = flight.job();
        DeliveryResult result = done.result();
        boolean crashed = done.failure() != null || !coversJob(result, job);
        if (crashed) {
            // As qmgr does when a delivery agent dies: defer this job's recipients, tell the
            // queue manager to throttle the whole transport, give this destination no feedback.
            String why = done.failure() != null ? done.failure() : "delivery agent reported an incomplete recipient list";
            LoggerFactory.getLogger("postfix/" + transport).warn("warning: {}: {}", job.queueId(), why);
            log.warn("warning: transport {} failure -- see a previous warning/fatal/panic logfile record for the "
                    + "problem description", transport);
            DestinationProblem problem = new DestinationProblem("4.3.0", "unknown mail transport error");
            result = DeliveryResult.allDeferred(job, problem, problem.reason());
        }
        int busyCount = busy.size();              // includes this delivery, as qmgr's busy_refcount does
        busy.remove(done.jobId());
        connectionCache.done(clock.instant());
        flight.replyTo().tell(new DeliveryFinished(job, result, true, crashed, flight.started(), clock.instant()));
        if (crashed) return Effect().none().thenRun(this::dispatch);

        if (!settings.rateDelay().isZero() && !state.dead()) {
            // qmgr_queue_suspend(): after each delivery wait the rate delay before the next one.
            rateSuspended = true;
            timers.startSingleTimer(Wake.RATE_TIMER, Wake.RATE_TIMER, settings.rateDelay());
        }
        // Not Optional.map: throttle() answers null for a destination that is already dead,
        // and that must not fall through to positive feedback (which revives the dead).
        DestinationEvent event = result.destinationProblem().isPresent()
                ? throttle(state, result.destinationProblem().get())
                : unthrottle(state, busyCount);
        if (event == null) return Effect().none().thenRun(this::dispatch);
        return Effect().persist(event).thenRun(newState -> {
            if (newState.dead()) {
                deferWaiting(newState);
                scheduleRevival(newState);
            }
            dispatch(newState);
        });
    }

    private Effect<DestinationEvent, DestinationState> onCancel(DestinationState state, Cancel cmd) {
        waiting.values().removeIf(p -> p.job().queueId().equals(cmd.queueId()));
        return Effect().none();
    }

    private Effect<DestinationEvent, DestinationState> onGetStatus(DestinationState state, GetStatus cmd) {
        cmd.replyTo().tell(new DestinationStatus(transport + ":" + nexthop, state.window(),
                settings.concurrencyLimit(), busy.size(), waiting.size(), state.success(), state.failure(),
                state.failCohorts(), state.deadUntil(), state.deadReason()));
        return Effect().none();
    }

    private Effect<DestinationEvent, DestinationState> onWake(DestinationState state, Wake wake) {
        if (wake == Wake.RATE_TIMER) {
            rateSuspended = false;
            return Effect().none().thenRun(this::dispatch);
        }
        if (!state.dead()) return Effect().none();
        if (clock.instant().isBefore(state.deadUntil())) {
            scheduleRevival(state);
            return Effect().none();
        }
        return revive();
    }

    private Effect<DestinationEvent, DestinationState> revive() {
        timers.cancel(Wake.DEAD_TIMER);
        // "Back from the almost grave, best concurrency is anyone's guess."
        int window = busy.isEmpty() ? settings.initialConcurrency() : busy.size();
        logWindow("qmgr_queue_unthrottle", window, 0, 0, 0);
        return Effect().persist((DestinationEvent) new DestinationEvent.DestinationRecovered(window))
                .thenRun(this::dispatch);
    }

    // --- the concurrency scheduler ----------------------------------------------------------

    /** Positive feedback (qmgr_queue_unthrottle); null when nothing changes. */
    private DestinationEvent unthrottle(DestinationState s, int busyCount) {
        if (s.dead()) {
            int window = busyCount > 0 ? busyCount : settings.initialConcurrency();
            logWindow("qmgr_queue_unthrottle", window, 0, 0, 0);
            return new DestinationEvent.DestinationRecovered(window);
        }
        int window = s.window();
        double success = s.success();
        double failure = s.failure();
        int limit = settings.concurrencyLimit();
        if ((limit == 0 || limit > window) && window < busyCount + settings.initialConcurrency()) {
            double feedback = settings.positiveFeedback().at(window);
            logFeedback("qmgr_queue_unthrottle", feedback);
            success += feedback;
            // Prepare for overshoot (feedback > hysteresis, rounding error).
            while (success + feedback / 2 >= 1) {
                window += 1;
                success -= 1;
                failure = 0;
            }
            if (limit > 0 && window > limit) window = limit;
        }
        logWindow("qmgr_queue_unthrottle", window, success, failure, 0);
        if (window == s.window() && success == s.success() && failure == s.failure() && s.failCohorts() == 0) {
            return null;
        }
        return new DestinationEvent.ConcurrencyChanged(window, success, failure, 0);
    }

    /** Negative feedback (qmgr_queue_throttle); null when nothing changes. */
    private DestinationEvent throttle(DestinationState s, DestinationProblem problem) {
        if (s.dead()) return null;
        int window = Math.max(1, s.window());
        double failCohorts = s.failCohorts() + 1.0 / window;
        if (settings.failedCohortLimit() > 0 && failCohorts >= settings.failedCohortLimit()) {
            logWindow("qmgr_queue_throttle", 0, s.success(), s.failure(), failCohorts);
            Instant now = clock.instant();
            return new DestinationEvent.DestinationDead(now.plus(settings.deadRetryDelay()), problem.dsnStatus(),
                    problem.reason(), now);
        }
        double success = s.success();
        double failure = s.failure();
        double feedback = settings.negativeFeedback().at(window);
        logFeedback("qmgr_queue_throttle", feedback);
        failure -= feedback;
        // Negative feedback takes effect at the start of its hysteresis cycle.
        while (failure - feedback / 2 < 0) {
            window -= 1;
            success = 0;
            failure += 1;
        }
        if (window < 1) window = 1;
        logWindow("qmgr_queue_throttle", window, success, failure, failCohorts);
        return new DestinationEvent.ConcurrencyChanged(window, success, failure, failCohorts);
    }

    // --- slots ---------------------------------------------------------------------------

    private void dispatch(DestinationState state) {
        if (state.dead()) return;
        int window = settings.concurrencyLimit() > 0
                ? Math.min(state.window(), settings.concurrencyLimit()) : state.window();
        Iterator<Pending> it = waiting.values().iterator();
        while (!rateSuspended && busy.size() < window && it.hasNext()) {
            Pending next = it.next();
            it.remove();
            start(next);
            if (!settings.rateDelay().isZero()) break;
        }
    }

    private void start(Pending p) {
        String id = p.job().jobId();
        Instant now = clock.instant();
        busy.put(id, new InFlight(p.job(), p.replyTo(), now));
        boolean cacheConnection = connectionCache.select(now, busy.size());
        CompletionStage<DeliveryResult> stage;
        try {
            stage = agent.deliver(p.job(), cacheConnection);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(stage, (result, error) -> error != null
                ? new AgentDone(id, null, String.valueOf(error))
                : new AgentDone(id, result, null));
    }

    private void deferWaiting(DestinationState state) {
        Instant now = clock.instant();
        DestinationProblem problem = new DestinationProblem(state.deadStatus(), state.deadReason());
        for (Pending p : waiting.values()) {
            p.replyTo().tell(new DeliveryFinished(p.job(),
                    DeliveryResult.allDeferred(p.job(), problem, SUSPENDED + state.deadReason()), false, false,
                    now, now));
        }
        waiting.clear();
    }

    private void scheduleRevival(DestinationState state) {
        Duration delay = Duration.between(clock.instant(), state.deadUntil());
        timers.startSingleTimer(Wake.DEAD_TIMER, Wake.DEAD_TIMER, delay.isNegative() ? Duration.ZERO : delay);
    }

    private static boolean coversJob(DeliveryResult result, DeliveryJob job) {
        if (result == null) return false;
        Set<String> got = new HashSet<>();
        result.recipients().forEach(r -> got.add(r.address()));
        return job.recipients().stream().allMatch(r -> got.contains(r.address()));
    }

    // --- destination_concurrency_feedback_debug ------------------------------------------------

    private boolean debug() {
        return settings.feedbackDebug() && !"error".equals(transport) && !"retry".equals(transport);
    }

    private void logFeedback(String function, double feedback) {
        if (debug()) log.info("{}: feedback {}", function, g(feedback));
    }

    private void logWindow(String function, int window, double success, double failure, double failCohorts) {
        if (debug()) {
            log.info("{}: queue {}: limit {} window {} success {} failure {} fail_cohorts {}", function, nexthop,
                    settings.concurrencyLimit(), window, g(success), g(failure), g(failCohorts));
        }
    }

    /** C's %g: six significant digits, no trailing zeros. */
    static String g(double value) {
        if (value == 0) return "0";
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
