package org.smarthost.actors.queue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;

/**
 * The queue's actors, wired: the index (QueueManager), the message region and the receiver
 * smtpd hands mail to. One per actor system.
 */
public final class QueueSystem {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a query waits for the index to be loaded at start. Rebuilt from the journal, a
     * million queued messages take about a minute on two cores; postqueue -p waits for that, as
     * Postfix's waits for its scan of a large queue, instead of failing after ASK_TIMEOUT.
     */
    public static final Duration LOAD_WAIT = Duration.ofMinutes(10);

    private final ActorSystem<?> system;
    private volatile QueueSettings settings;
    private final BodyStore bodies;
    private final QueueQueries queries;
    private final ActorRef<QueueManager.Command> index;
    private final ActorRef<MessageRegion.Command> region;
    private final QueueReceiver receiver;
    private final Clock clock;
    private volatile ActorRef<QueueScheduler.Command> scheduler;

    private QueueSystem(ActorSystem<?> system, QueueSettings settings, BodyStore bodies, QueueIdGenerator ids,
                        Clock clock) {
        this.system = system;
        this.settings = settings;
        this.bodies = bodies;
        this.queries = QueueQueries.of(system, settings.readJournalPluginId());
        // The saved index is bound to the embedded journal's files; another journal rebuilds.
        IndexSnapshotFile snapshots = settings.readJournalPluginId().equals(QueueSettings.ROCKSDB_READ_JOURNAL)
                ? IndexSnapshotFile.in(settings.storeDirectory()) : null;
        this.index = system.systemActorOf(QueueManager.create(queries, settings.backoff(), snapshots), "qmgr",
                Props.empty());
        this.region = system.systemActorOf(MessageRegion.create(index, clock, settings.messageIdleTimeout()),
                "messages", Props.empty());
        this.receiver = new QueueReceiver(system, settings, ids, bodies, region, clock);
        this.clock = clock;
    }

    /**
     * Starts delivery: the qmgr scheduler with its destinations. Without this call the queue
     * only receives (tools, tests of the receive path).
     */
    public synchronized ActorRef<QueueScheduler.Command> startDelivery(
            SchedulerSettings schedulerSettings, org.smarthost.actors.resolve.AddressResolver resolver,
            org.smarthost.actors.delivery.Transports transports, org.smarthost.protocol.dsn.DsnComposer composer) {
        if (scheduler != null) throw new IllegalStateException("delivery already started");
        receiver.resolver(resolver);
        Notices notices = new Notices(receiver, bodies, composer,
                system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()), clock);
        scheduler = system.systemActorOf(QueueScheduler.create(schedulerSettings, index, region, resolver, transports,
                notices, bodies, clock), "scheduler", Props.empty());
        return scheduler;
    }

    /**
     * "postfix reload": the scheduler continues with new settings, resolver and transports;
     * {@code retireOld} runs once nothing uses the transports they replace.
     */
    public void reconfigureDelivery(SchedulerSettings schedulerSettings,
                                    org.smarthost.actors.resolve.AddressResolver resolver,
                                    org.smarthost.actors.delivery.Transports transports, Runnable retireOld) {
        ActorRef<QueueScheduler.Command> s = scheduler;
        if (s == null) throw new IllegalStateException("delivery not started");
        receiver.resolver(resolver);
        s.tell(new QueueScheduler.Reconfigure(schedulerSettings, resolver, transports, retireOld));
    }

    /**
     * "postfix reload": cleanup's limits and header rules apply to transactions opened from now
     * on (as Postfix's new cleanup processes), and deferred mail is rescheduled under the new
     * backoff settings. The queue stays where it was opened.
     */
    public synchronized void reconfigure(QueueSettings next) {
        QueueSettings applied = next.inStoreOf(settings);
        receiver.reconfigure(applied);
        index.tell(new QueueManager.Reconfigure(applied.backoff()));
        settings = applied;
    }

    /**
     * postqueue -f and -s, before they requeue: dead destinations are alive again (Postfix's
     * QMGR_REQ_FLUSH_DEAD). Without delivery (a queue that only receives) there is nothing to do.
     */
    public void flushDeadDestinations() {
        ActorRef<QueueScheduler.Command> s = scheduler;
        if (s != null) s.tell(QueueScheduler.FlushDead.INSTANCE);
    }

    /** postqueue -i, before it requeues the message: its destinations are alive again when it is scheduled. */
    public void flushDeadDestinationsOf(String queueId) {
        ActorRef<QueueScheduler.Command> s = scheduler;
        if (s != null) s.tell(new QueueScheduler.FlushDeadFor(queueId));
    }

    /**
     * Starts the queue in {@code system}, whose journal plugin must be configured. The index is
     * rebuilt from the journal in the background; queries wait for it.
     */
    public static QueueSystem start(ActorSystem<?> system, QueueSettings settings, BodyStore bodies,
                                    QueueIdGenerator ids, Clock clock) {
        return new QueueSystem(system, settings, bodies, ids, clock);
    }

    public QueueReceiver receiver() { return receiver; }
    public ActorRef<QueueManager.Command> index() { return index; }
    public ActorRef<MessageRegion.Command> region() { return region; }
    public QueueQueries queries() { return queries; }
    public BodyStore bodies() { return bodies; }
    public QueueSettings settings() { return settings; }
    public ActorSystem<?> system() { return system; }

    /** Every queued message, oldest first (waits for the index to be loaded). */
    public CompletionStage<List<IndexEntry>> list() {
        return loaded().thenCompose(n ->
                AskPattern.ask(index, QueueManager.ListQueue::new, ASK_TIMEOUT, system.scheduler()));
    }

    /** Completes with the number of queued messages once the index is loaded (at once afterwards). */
    public CompletionStage<Integer> loaded() {
        return AskPattern.ask(index, QueueManager.AwaitReady::new, LOAD_WAIT, system.scheduler());
    }

    /**
     * Saves the queue index for a quick next start (at "postfix stop"); true when it was saved.
     * Safe while mail still moves: whatever happens after it is read from the journal at start.
     */
    public CompletionStage<Boolean> saveIndex() {
        return AskPattern.ask(index, QueueManager.SaveIndex::new, ASK_TIMEOUT, system.scheduler());
    }

    public CompletionStage<Optional<IndexEntry>> lookup(String queueId) {
        return loaded().thenCompose(n -> AskPattern.ask(index, r -> new QueueManager.Lookup(queueId, r),
                ASK_TIMEOUT, system.scheduler()));
    }

    /**
     * Deletes a message (postsuper -d): MessageDeleted is persisted first, then the body is
     * removed, so a crash in between leaves an orphan body, never a message without one.
     */
    public CompletionStage<MessageActor.AdminResult> delete(String queueId) {
        return admin(queueId, MessageActor.AdminAction.DELETE).thenApplyAsync(r -> {
            if (r.applied()) {
                try {
                    bodies.delete(queueId);
                } catch (java.io.IOException e) {
                    org.slf4j.LoggerFactory.getLogger("postfix/postsuper")
                            .warn("warning: {}: cannot remove message body: {}", queueId, e.getMessage());
                }
            }
            return r;
        }, system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
    }

    /** Applies a postsuper action to one message. */
    public CompletionStage<MessageActor.AdminResult> admin(String queueId, MessageActor.AdminAction action) {
        return AskPattern.ask(region, r -> new MessageRegion.Deliver(queueId, new MessageActor.Admin(action, r)),
                ASK_TIMEOUT, system.scheduler());
    }
}
