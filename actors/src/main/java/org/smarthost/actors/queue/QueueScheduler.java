package org.smarthost.actors.queue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.actors.delivery.DeliveryFinished;
import org.smarthost.actors.delivery.DeliveryJob;
import org.smarthost.actors.delivery.DestinationActor;
import org.smarthost.actors.delivery.DsnInputs;
import org.smarthost.actors.delivery.RecipientDelivery;
import org.smarthost.actors.delivery.Transports;
import org.smarthost.actors.resolve.AddressResolver;
import org.smarthost.actors.resolve.Resolution;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.BounceQueued;
import org.smarthost.persistence.queue.DelayWarningSent;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageExpired;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueName;
import org.smarthost.protocol.client.PostfixText;
import org.smarthost.protocol.dsn.DsnComposer;
import org.smarthost.protocol.dsn.DsnKind;
import org.smarthost.protocol.dsn.DsnNotify;
import org.smarthost.protocol.dsn.DsnRecipient;

/**
 * qmgr(8)'s scheduler. Takes due messages from the queue index (at most
 * qmgr_message_active_limit messages and qmgr_message_recipient_limit recipients at a time),
 * resolves their pending recipients, groups them per transport:nexthop in jobs of at most the
 * transport's recipient limit and hands the jobs to one {@link DestinationActor} per
 * destination. Each finished job is persisted on the message as a DeliveryAttempted event and
 * logged; when all jobs of a message are back, bounces, delay warnings and success notices are
 * queued, an expired message is returned, and a finished message is completed and its body
 * removed. Then the message goes back to the index, which derives its next attempt from its
 * events: nothing here must survive a restart.
 *
 * <p>New mail wakes the scheduler at once; deferred mail is picked up by the scan every
 * queue_run_delay, or at once after postqueue -f / -i / -s (which requeue it). Those also bring
 * dead destinations back to life, as Postfix's flush requests do: -f and -s every one
 * ({@link FlushDead}), -i those that the message's recipients go to ({@link FlushDeadFor}).
 */
public final class QueueScheduler extends AbstractBehavior<QueueScheduler.Command> {

    private static final Logger qmgr = LoggerFactory.getLogger("postfix/qmgr");
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FLUSH_FOR_LIFETIME = Duration.ofMinutes(10);

    public sealed interface Command { }

    /** Scan for due mail now (postqueue -f after requeueing, new mail, timer). */
    public enum Wake implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    /**
     * "postqueue -f" and "postqueue -s" (Postfix's QMGR_REQ_FLUSH_DEAD): every destination that
     * is dead now is alive again before the requeued mail is scheduled, including those whose
     * actors were passivated (when they are recreated).
     */
    public enum FlushDead implements Command { INSTANCE }

    /**
     * "postqueue -i": the destinations of this message's recipients come back to life when the
     * message is next scheduled (Postfix's UNTHROTTLE_AFTER: as qmgr reads the queue file).
     */
    public record FlushDeadFor(String queueId) implements Command { }

    private record Taken(List<IndexEntry> entries, Throwable failure) implements Command { }

    private record Loaded(String queueId, MessageState state, Throwable failure) implements Command { }

    private record Finished(DeliveryFinished finished) implements Command { }

    private record Persisted(String queueId, DeliveryFinished finished, DeliveryAttempted event, MessageState state,
                             Throwable failure) implements Command { }

    private record Done(String queueId) implements Command { }

    private record DestinationStopped(String key) implements Command { }

    private record DestinationIdle(String key) implements Command { }

    /**
     * "postfix reload": new qmgr settings, resolver and transports. Jobs already handed to a
     * destination finish with the transport they started with, as Postfix's delivery agents
     * finish their current job after a reload; later jobs for that destination wait until
     * its actor has stopped and go to a new one built from the new transports. Once no
     * destination uses the old transports any more, {@code retireOld} runs (to close them).
     */
    public record Reconfigure(SchedulerSettings settings, AddressResolver resolver, Transports transports,
                              Runnable retireOld) implements Command { }

    /** A message the scheduler holds between Take and Release. */
    private static final class Active {
        final String queueId;
        MessageState state;
        Instant activeSince;
        int attempt;
        int jobsOut;
        int recipients;
        final List<RecipientDelivery> bounced = new ArrayList<>();
        final List<RecipientDelivery> delivered = new ArrayList<>();
        final Map<String, RecipientDelivery> deferred = new LinkedHashMap<>();
        final Map<String, String> transportOf = new HashMap<>();
        /** The message's state after the last recorded attempt (done if it completed with it). */
        MessageState recorded;

        Active(String queueId) {
            this.queueId = queueId;
        }
    }

    /** One DestinationActor and the jobs out there. */
    private static final class Destination {
        final String transport;
        final String nexthop;
        ActorRef<DestinationActor.Command> ref;
        int outstanding;
        boolean passivating;
        // Running on transports that a reload replaced: takes no new jobs, stops when idle.
        boolean retired;
        // A flush for one message reached this destination while its actor was stopping.
        Instant flushedWhileStopping;
        final ArrayDeque<DeliveryJob> buffered = new ArrayDeque<>();

        Destination(String transport, String nexthop) {
            this.transport = transport;
            this.nexthop = nexthop;
        }
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private SchedulerSettings settings;
    private final ActorRef<QueueManager.Command> index;
    private final ActorRef<MessageRegion.Command> region;
    private AddressResolver resolver;
    private Transports transports;
    private final Notices notices;
    private final BodyStore bodies;
    private final Clock clock;
    private final ActorRef<DeliveryFinished> finishedAdapter;
    // For the notice and persistence chains, which run outside the actor.
    private final ActorSystem<?> system;
    private final java.util.concurrent.Executor blocking;

    private final Map<String, Active> active = new HashMap<>();
    private final Map<String, Destination> destinations = new HashMap<>();
    private int activeRecipients;
    // Destinations still running on transports replaced by a reload, and what then to close.
    private int retiring;
    private Runnable retireOld = () -> { };
    private boolean scanning;
    private boolean rescan;
    // The last postqueue -f / -s: a destination actor recreated after it hears of it.
    private Instant flushedAt;
    // postqueue -i: messages whose destinations are flushed when they are next scheduled.
    private final Map<String, Instant> flushOnDispatch = new HashMap<>();

    public static Behavior<Command> create(SchedulerSettings settings, ActorRef<QueueManager.Command> index,
                                           ActorRef<MessageRegion.Command> region, AddressResolver resolver,
                                           Transports transports, Notices notices, BodyStore bodies, Clock clock) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new QueueScheduler(ctx, timers, settings, index,
                region, resolver, transports, notices, bodies, clock)));
    }

    private QueueScheduler(ActorContext<Command> ctx, TimerScheduler<Command> timers, SchedulerSettings settings,
                           ActorRef<QueueManager.Command> index, ActorRef<MessageRegion.Command> region,
                           AddressResolver resolver, Transports transports, Notices notices, BodyStore bodies,
                           Clock clock) {
        super(ctx);
        this.ctx = ctx;
        this.timers = timers;
        this.settings = settings;
        this.index = index;
        this.region = region;
        this.resolver = resolver;
        this.transports = transports;
        this.notices = notices;
        this.bodies = bodies;
        this.clock = clock;
        this.finishedAdapter = ctx.messageAdapter(DeliveryFinished.class, Finished::new);
        this.system = ctx.getSystem();
        this.blocking = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
        index.tell(new QueueManager.Subscribe(ctx.messageAdapter(QueueManager.Eligible.class, e -> Wake.INSTANCE)));
        startQueueRuns();
    }

    private void startQueueRuns() {
        Duration period = settings.queueRunDelay().isZero() ? Duration.ofSeconds(1) : settings.queueRunDelay();
        timers.startTimerWithFixedDelay(Tick.INSTANCE, Tick.INSTANCE, period);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Wake.INSTANCE, this::scan)
                .onMessageEquals(Tick.INSTANCE, this::tick)
                .onMessage(Taken.class, this::taken)
                .onMessage(Loaded.class, this::loaded)
                .onMessage(Finished.class, this::finished)
                .onMessage(Persisted.class, this::persisted)
                .onMessage(Done.class, this::done)
                .onMessage(DestinationIdle.class, this::destinationIdle)
                .onMessage(DestinationStopped.class, this::destinationStopped)
                .onMessage(Reconfigure.class, this::reconfigure)
                .onMessageEquals(FlushDead.INSTANCE, this::flushDead)
                .onMessage(FlushDeadFor.class, this::flushDeadFor)
                .build();
    }

    // --- taking mail from the index -----------------------------------------------------------

    private Behavior<Command> tick() {
        // A postqueue -i for a message that was not requeued after all (delivered meanwhile).
        Instant stale = clock.instant().minus(FLUSH_FOR_LIFETIME);
        flushOnDispatch.values().removeIf(at -> at.isBefore(stale));
        return scan();
    }

    private Behavior<Command> scan() {
        if (scanning) {
            rescan = true;
            return this;
        }
        int room = Math.min(settings.activeLimit() - active.size(), settings.recipientLimit() - activeRecipients);
        if (room <= 0) return this;       // done() scans again when room frees up
        scanning = true;
        rescan = false;
        long now = clock.instant().getEpochSecond();
        ctx.pipeToSelf(Asks.<QueueManager.Command, List<IndexEntry>>ask(index,
                        r -> new QueueManager.Take(now, room, r), ASK_TIMEOUT, ctx.getSystem().scheduler()),
                Taken::new);
        return this;
    }

    private Behavior<Command> taken(Taken t) {
        scanning = false;
        if (t.failure() != null) {
            qmgr.warn("warning: cannot read the queue index: {}", t.failure().toString());
            return this;
        }
        for (IndexEntry e : t.entries()) {
            Active a = new Active(e.queueId());
            a.recipients = e.recipients().length;
            active.put(e.queueId(), a);
            activeRecipients += a.recipients;
            ctx.pipeToSelf(state(e.queueId()), (s, f) -> new Loaded(e.queueId(), s, f));
        }
        if (rescan) scan();
        return this;
    }

    private Behavior<Command> loaded(Loaded l) {
        Active a = active.get(l.queueId());
        if (a == null) return this;
        if (l.failure() != null) {
            qmgr.warn("warning: {}: cannot read message: {}", l.queueId(), l.failure().toString());
            release(a);
            return this;
        }
        MessageState s = l.state();
        if (s.received() == null || !(s.queue() == QueueName.ACTIVE || s.queue() == QueueName.DEFERRED)) {
            release(a);
            return this;
        }
        a.state = s;
        a.activeSince = clock.instant();
        a.attempt = s.attempts() + 1;
        if (s.pending().isEmpty()) {
            finish(a);
            return this;
        }
        if (s.attempts() > 0) {
            // A deferred message re-enters the active queue.
            qmgr.info("{}: from=<{}>, size={}, nrcpt={} (queue active)", s.queueId(), s.received().sender(),
                    s.received().size(), s.received().recipients().size());
        }
        dispatch(a);
        return this;
    }

    // --- jobs ---------------------------------------------------------------------------------

    private void dispatch(Active a) {
        Instant flush = flushOnDispatch.remove(a.queueId);
        MessageReceived m = a.state.received();
        Map<String, EnvelopeRecipient> envelope = envelope(m);
        Map<String, List<EnvelopeRecipient>> groups = new LinkedHashMap<>();
        Map<String, Resolution> resolutions = new HashMap<>();
        for (String rcpt : a.state.pending().keySet()) {
            Resolution r = resolver.resolve(m.sender(), rcpt);
            String key = r.destination();
            resolutions.putIfAbsent(key, r);
            EnvelopeRecipient er = envelope.getOrDefault(rcpt, new EnvelopeRecipient(rcpt, null, null));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(er);
            a.transportOf.put(rcpt, r.transport());
        }
        for (Map.Entry<String, List<EnvelopeRecipient>> g : groups.entrySet()) {
            Resolution r = resolutions.get(g.getKey());
            int limit = Math.max(1, transports.recipientLimit(r.transport()));
            List<EnvelopeRecipient> all = g.getValue();
            for (int i = 0; i < all.size(); i += limit) {
                DeliveryJob job = new DeliveryJob(m.queueId(), r.transport(), r.nexthop(), m.sender(),
                        all.subList(i, Math.min(all.size(), i + limit)), m.ret(), m.envid(), m.size(), m.bodyType(),
                        m.smtputf8(), m.bodyKey(), m.at(), a.activeSince);
                a.jobsOut++;
                send(g.getKey(), r.transport(), r.nexthop(), job, flush);
            }
        }
    }

    private static Map<String, EnvelopeRecipient> envelope(MessageReceived m) {
        Map<String, EnvelopeRecipient> map = new HashMap<>();
        for (EnvelopeRecipient r : m.recipients()) map.putIfAbsent(r.address(), r);
        return map;
    }

    /** @param flush when not null, the destination comes back to life first if it died before then */
    private void send(String key, String transport, String nexthop, DeliveryJob job, Instant flush) {
        Destination d = destinations.computeIfAbsent(key, k -> new Destination(transport, nexthop));
        d.outstanding++;
        if (d.passivating || d.retired) {
            if (flush != null) d.flushedWhileStopping = flush;
            d.buffered.add(job);
            return;
        }
        if (d.ref == null) spawn(key, d);
        if (flush != null) d.ref.tell(new DestinationActor.Enable(flush));
        d.ref.tell(new DestinationActor.Deliver(job, finishedAdapter));
    }

    private void spawn(String key, Destination d) {
        d.ref = ctx.spawn(DestinationActor.create(d.transport, d.nexthop, transports.destinationSettings(d.transport),
                transports.agent(d.transport), clock), "destination-" + URLEncoder.encode(key, StandardCharsets.UTF_8));
        ctx.watchWith(d.ref, new DestinationStopped(key));
        // Its state comes from the journal: a flush it did not hear while it was stopped applies
        // to it if it died before that flush. The actor takes this before any job.
        Instant flush = later(flushedAt, d.flushedWhileStopping);
        d.flushedWhileStopping = null;
        if (flush != null) d.ref.tell(new DestinationActor.Enable(flush));
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) return b;
        return b == null || a.isAfter(b) ? a : b;
    }

    // --- postqueue -f / -s / -i ---------------------------------------------------------------

    private Behavior<Command> flushDead() {
        flushedAt = clock.instant();
        for (Destination d : destinations.values()) {
            if (d.ref != null) d.ref.tell(new DestinationActor.Enable(flushedAt));
        }
        return this;
    }

    private Behavior<Command> flushDeadFor(FlushDeadFor f) {
        flushOnDispatch.put(f.queueId(), clock.instant());
        return this;
    }

    private Behavior<Command> finished(Finished f) {
        DeliveryFinished df = f.finished();
        DeliveryJob job = df.job();
        Destination d = destinations.get(job.destination());
        if (d != null && --d.outstanding == 0) {
            timers.startSingleTimer("idle:" + job.destination(), new DestinationIdle(job.destination()),
                    settings.destinationIdle());
        }
        if (d != null) retireIfIdle(d);
        Active a = active.get(job.queueId());
        if (a == null) return this;
        DeliveryAttempted event = df.toDeliveryAttempted(a.attempt++);
        CompletionStage<MessageState> recorded = completesMessage(a, df)
                ? recordLast(job.queueId(), event)
                : record(job.queueId(), event);
        ctx.pipeToSelf(recorded, (s, e) -> new Persisted(job.queueId(), df, event, s, e));
        return this;
    }

    /**
     * Whether this attempt finishes the message with nothing left to do: the last job out,
     * every recipient delivered in every job, and no SUCCESS notice owed (a notice needs the
     * body, so the message must not complete before it is queued).
     */
    private static boolean completesMessage(Active a, DeliveryFinished df) {
        if (a.jobsOut != 1 || !a.bounced.isEmpty() || !a.deferred.isEmpty()) return false;
        List<RecipientDelivery> now = df.result().recipients();
        if (now.isEmpty() || now.stream().anyMatch(r -> r.outcome() != DeliveryAttempted.Outcome.DELIVERED)) {
            return false;
        }
        MessageReceived m = a.state.received();
        if (m.sender().isEmpty()) return true;
        List<RecipientDelivery> all = new ArrayList<>(a.delivered);
        all.addAll(now);
        return owed(DsnKind.SUCCESS, m, envelope(m), all).isEmpty();
    }

    /** The recipients whose NOTIFY (or the default for the sender) asks for this kind of notice. */
    private static List<RecipientDelivery> owed(DsnKind kind, MessageReceived m,
                                                Map<String, EnvelopeRecipient> envelope, List<RecipientDelivery> rcpts) {
        return DsnNotify.select(kind, m.sender(), rcpts,
                r -> envelope.containsKey(r.address()) ? envelope.get(r.address()).dsnNotify() : java.util.Set.of());
    }

    private Behavior<Command> persisted(Persisted p) {
        Active a = active.get(p.queueId());
        if (a == null) return this;
        if (p.failure() != null) {
            qmgr.warn("warning: {}: cannot record delivery attempt: {}", p.queueId(), p.failure().toString());
        } else {
            a.recorded = p.state();
            log(p.finished(), p.event());
            for (RecipientDelivery r : p.finished().result().recipients()) {
                switch (r.outcome()) {
                    case BOUNCED -> a.bounced.add(r);
                    case DELIVERED -> a.delivered.add(r);
                    case DEFERRED -> a.deferred.put(r.address(), r);
                }
            }
        }
        if (--a.jobsOut == 0) finish(a);
        return this;
    }

    /** Postfix's delivery status line, by the agent (or by qmgr for mail it deferred itself). */
    private void log(DeliveryFinished f, DeliveryAttempted e) {
        Logger log = LoggerFactory.getLogger(f.attempted() ? transports.logger(f.job().transport()) : "postfix/qmgr");
        if (!log.isInfoEnabled()) return;
        int digits = settings.delayLoggingResolution();
        String delay = PostfixText.delay(Duration.between(f.job().arrival(), f.finished()), digits);
        List<RecipientDelivery> reported = f.result().recipients();
        for (int i = 0; i < e.outcomes().size(); i++) {
            DeliveryAttempted.RecipientOutcome o = e.outcomes().get(i);
            DeliveryAttempted.Delays d = o.delays();
            // Postfix shows a cached connection's use count after relay=, from the second use on.
            int use = i < reported.size() ? reported.get(i).connectionUse() : 0;
            String relay = use > 1 ? o.relay() + ", conn_use=" + use : o.relay();
            String status = switch (o.outcome()) {
                case DELIVERED -> "sent";
                case DEFERRED -> "deferred";
                case BOUNCED -> "bounced";
            };
            log.info("{}: to=<{}>, relay={}, delay={}, delays={}, dsn={}, status={} ({})", e.queueId(), o.address(),
                    relay, delay, PostfixText.delays(seconds(d.beforeQueueManager()), seconds(d.inQueueManager()),
                            seconds(d.connectionSetup()), seconds(d.transmission()), digits),
                    o.dsnStatus(), status, o.reply());
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    // --- after the last job: notices, expiry, completion ------------------------------------------

    private void finish(Active a) {
        CompletionStage<?> work;
        try {
            work = finishWork(a);
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        ctx.pipeToSelf(work, (ok, failure) -> {
            if (failure != null) {
                qmgr.warn("warning: {}: {}", a.queueId, failure.toString());
            }
            return new Done(a.queueId);
        });
    }

    private CompletionStage<?> finishWork(Active a) {
        MessageReceived m = a.state.received();
        if (a.recorded != null && a.recorded.isDone()) {
            return removeBody(m); // completed with its last attempt (RecordLast)
        }
        Instant now = clock.instant();
        Map<String, String> transportOf = Map.copyOf(a.transportOf);
        Map<String, RecipientDelivery> deferredNow = Map.copyOf(a.deferred);
        CompletionStage<MessageState> chain = CompletableFuture.completedFuture(a.state);
        if (!a.bounced.isEmpty()) {
            List<RecipientDelivery> bounced = List.copyOf(a.bounced);
            chain = chain.thenCompose(s -> notify(DsnKind.FAILURE, m, bounced, now, transportOf));
        }
        // What is still pending after this round decides expiry and delay warnings.
        chain = chain.thenCompose(ignored -> state(m.queueId())).thenCompose(s -> {
            List<String> pending = new ArrayList<>(s.pending().keySet());
            if (pending.isEmpty()) return CompletableFuture.completedFuture(s);
            boolean nullSender = m.sender().isEmpty();
            Instant expires = settings.backoff().expiresAt(m.at(), nullSender);
            if (s.forcedExpire() || !now.isBefore(expires)) {
                qmgr.info("{}: from=<{}>, status=expired, returned to sender", m.queueId(), m.sender());
                List<RecipientDelivery> expired = pending.stream().map(r -> {
                    RecipientDelivery d = deferredNow.get(r);
                    String reason = s.reason(r).isEmpty() ? "message expired" : s.reason(r);
                    return d != null ? d : new RecipientDelivery(r, DeliveryAttempted.Outcome.BOUNCED, "4.4.7",
                            reason, "none", null, null);
                }).toList();
                CompletionStage<MessageState> marked = s.forcedExpire() ? CompletableFuture.completedFuture(s)
                        : record(m.queueId(), new MessageExpired(m.queueId(), now));
                return marked.thenCompose(x -> notify(DsnKind.FAILURE, m, expired, now, transportOf));
            }
            if (!settings.delayWarningTime().isZero() && !s.delayWarned()
                    && !now.isBefore(m.at().plus(settings.delayWarningTime()))) {
                List<RecipientDelivery> delayed = pending.stream().map(r -> deferredNow.getOrDefault(r,
                        new RecipientDelivery(r, DeliveryAttempted.Outcome.DEFERRED, "4.0.0", s.reason(r), "none",
                                null, null))).toList();
                return notify(DsnKind.DELAY, m, delayed, now, transportOf);
            }
            return CompletableFuture.completedFuture(s);
        });
        if (!a.delivered.isEmpty() && !m.sender().isEmpty()) {
            List<RecipientDelivery> delivered = List.copyOf(a.delivered);
            chain = chain.thenCompose(s -> notify(DsnKind.SUCCESS, m, delivered, now, transportOf));
        }
        return chain.thenCompose(ignored -> state(m.queueId())).thenCompose(s -> {
            if (!s.pending().isEmpty() || s.isDone()) return CompletableFuture.completedFuture(s);
            return record(m.queueId(), new MessageCompleted(m.queueId(), clock.instant()))
                    .thenCompose(done -> removeBody(m).thenApply(x -> done));
        });
    }

    /** After MessageCompleted: the body goes with the store's next group commit. */
    private CompletionStage<Void> removeBody(MessageReceived m) {
        return bodies.delete(m.bodyKey(), m.size()).exceptionally(e -> {
            qmgr.warn("warning: {}: cannot remove message body: {}", m.queueId(), e.toString());
            return null;
        });
    }

    /**
     * Sends one kind of notice for {@code rcpts} as NOTIFY asks and records it: bounces and
     * expiries finish their recipients (BounceQueued, even when no notice was owed), a delay
     * warning is recorded once (DelayWarningSent), success notices need no event.
     */
    private CompletionStage<MessageState> notify(DsnKind kind, MessageReceived m, List<RecipientDelivery> rcpts,
                                                 Instant now, Map<String, String> transportOf) {
        Map<String, EnvelopeRecipient> envelope = envelope(m);
        List<RecipientDelivery> wanted = owed(kind, m, envelope, rcpts);
        List<DsnRecipient> report = wanted.stream().map(r -> {
            String action = kind == DsnKind.FAILURE ? "failed" : kind == DsnKind.DELAY ? "delayed" : null;
            if (kind == DsnKind.SUCCESS && isRelay(transportOf.get(r.address()))) action = "relayed";
            RecipientDelivery d = kind == DsnKind.FAILURE && r.outcome() != DeliveryAttempted.Outcome.BOUNCED
                    ? new RecipientDelivery(r.address(), DeliveryAttempted.Outcome.BOUNCED, r.dsnStatus(), r.reply(),
                    r.relay(), r.remoteMta(), r.remoteReply()) : r;
            return DsnInputs.recipient(d, envelope.get(r.address()), null, action);
        }).toList();
        CompletionStage<String> sent;
        boolean postmasterNotice = m.sender().equalsIgnoreCase(settings.doubleBounceSender());
        if (postmasterNotice) {
            // Postfix never sends a triple bounce: a postmaster notice that failed is dropped
            sent = kind == DsnKind.FAILURE ? discardPostmasterNotice(m) : CompletableFuture.completedFuture("");
        } else if (!report.isEmpty()) {
            sent = notices.send(kind, m, report, m.sender(), DsnComposer.ENVELOPE_SENDER);
        } else if (kind == DsnKind.FAILURE && m.sender().isEmpty()) {
            sent = doubleBounce(m, rcpts);
        } else {
            sent = CompletableFuture.completedFuture("");
        }
        if (kind == DsnKind.FAILURE && settings.notifyClasses().contains("bounce") && !m.sender().isEmpty()
                && !postmasterNotice) {
            // notify_classes = bounce: a postmaster copy of every non-delivery notice
            List<DsnRecipient> all = rcpts.stream().map(r -> DsnInputs.recipient(r, envelope.get(r.address()), null,
                    "failed")).toList();
            sent = sent.thenCompose(id -> notices.send(kind, m, all, settings.bounceNoticeRecipient(),
                    settings.doubleBounceSender()).exceptionally(e -> "").thenApply(x -> id));
        }
        List<String> addresses = rcpts.stream().map(RecipientDelivery::address).toList();
        return sent.thenCompose(id -> switch (kind) {
            case FAILURE -> record(m.queueId(), new BounceQueued(m.queueId(), now, id, addresses));
            case DELAY -> record(m.queueId(), new DelayWarningSent(m.queueId(), now, id, addresses));
            case SUCCESS -> state(m.queueId());
        });
    }

    /**
     * A bounce that cannot be delivered is never bounced to its (null) sender: with 2bounce or
     * bounce in notify_classes it goes to 2bounce_notice_recipient from double_bounce_sender,
     * otherwise it is dropped without a word, as Postfix's bounce(8) does.
     */
    private CompletionStage<String> doubleBounce(MessageReceived m, List<RecipientDelivery> rcpts) {
        if (!settings.notifyClasses().contains("2bounce") && !settings.notifyClasses().contains("bounce")) {
            return CompletableFuture.completedFuture("");
        }
        Map<String, EnvelopeRecipient> envelope = envelope(m);
        List<DsnRecipient> all = rcpts.stream().map(r -> DsnInputs.recipient(
                new RecipientDelivery(r.address(), DeliveryAttempted.Outcome.BOUNCED, r.dsnStatus(), r.reply(),
                        r.relay(), r.remoteMta(), r.remoteReply()), envelope.get(r.address()), null, "failed")).toList();
        return notices.send(DsnKind.FAILURE, m, all, settings.doubleBounceRecipient(), settings.doubleBounceSender());
    }

    private static CompletionStage<String> discardPostmasterNotice(MessageReceived m) {
        LoggerFactory.getLogger("postfix/bounce").warn("warning: {}: undeliverable postmaster notification discarded",
                m.queueId());
        return CompletableFuture.completedFuture("");
    }

    /** Success notices say "relayed" for mail handed to another MTA, "delivered" for final delivery. */
    private static boolean isRelay(String transport) {
        return transport == null || !(transport.equals("lmtp") || transport.equals("local")
                || transport.equals("virtual") || transport.equals("discard"));
    }

    private Behavior<Command> done(Done d) {
        Active a = active.remove(d.queueId());
        if (a != null) {
            activeRecipients -= a.recipients;
            index.tell(new QueueManager.Release(d.queueId()));
            scan();
        }
        return this;
    }

    private void release(Active a) {
        active.remove(a.queueId);
        activeRecipients -= a.recipients;
        index.tell(new QueueManager.Release(a.queueId));
    }

    // --- destinations ---------------------------------------------------------------------------

    private Behavior<Command> destinationIdle(DestinationIdle i) {
        Destination d = destinations.get(i.key());
        if (d != null && d.outstanding == 0 && d.ref != null && !d.passivating) {
            d.passivating = true;
            d.ref.tell(new DestinationActor.Passivate());
        }
        return this;
    }

    private Behavior<Command> reconfigure(Reconfigure r) {
        settings = r.settings();
        resolver = r.resolver();
        transports = r.transports();
        Runnable earlier = retireOld;
        retireOld = () -> {
            earlier.run();
            r.retireOld().run();
        };
        for (Destination d : destinations.values()) {
            if (d.ref != null && !d.retired) {
                d.retired = true;
                retiring++;
                retireIfIdle(d);
            }
        }
        if (retiring == 0) retireOldTransports();
        startQueueRuns();
        return scan();
    }

    /** A destination on replaced transports stops as soon as none of its jobs is in its actor. */
    private void retireIfIdle(Destination d) {
        if (d.retired && d.ref != null && !d.passivating && d.outstanding - d.buffered.size() == 0) {
            d.passivating = true;
            d.ref.tell(new DestinationActor.Passivate());
        }
    }

    private void retireOldTransports() {
        Runnable close = retireOld;
        retireOld = () -> { };
        blocking.execute(close);
    }

    private Behavior<Command> destinationStopped(DestinationStopped s) {
        Destination d = destinations.get(s.key());
        if (d == null) return this;
        d.ref = null;
        d.passivating = false;
        if (d.retired) {
            d.retired = false;
            if (--retiring == 0) retireOldTransports();
        }
        if (d.buffered.isEmpty() && d.outstanding == 0) {
            destinations.remove(s.key());
            return this;
        }
        spawn(s.key(), d);
        while (!d.buffered.isEmpty()) d.ref.tell(new DestinationActor.Deliver(d.buffered.poll(), finishedAdapter));
        return this;
    }

    // --- the message actors ---------------------------------------------------------------------

    private CompletionStage<MessageState> record(String queueId, QueueEvent event) {
        return Asks.<MessageRegion.Command, MessageState>askWithStatus(region,
                r -> new MessageRegion.Deliver(queueId, new MessageActor.Record(event, r)), ASK_TIMEOUT,
                system.scheduler());
    }

    private CompletionStage<MessageState> recordLast(String queueId, DeliveryAttempted event) {
        return Asks.<MessageRegion.Command, MessageState>askWithStatus(region,
                r -> new MessageRegion.Deliver(queueId, new MessageActor.RecordLast(event, clock.instant(), r)),
                ASK_TIMEOUT, system.scheduler());
    }

    private CompletionStage<MessageState> state(String queueId) {
        return Asks.<MessageRegion.Command, MessageState>ask(region,
                r -> new MessageRegion.Deliver(queueId, new MessageActor.GetState(r)), ASK_TIMEOUT,
                system.scheduler());
    }
}
