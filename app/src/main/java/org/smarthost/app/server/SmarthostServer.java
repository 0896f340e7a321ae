package org.smarthost.app.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.actors.master.Master;
import org.smarthost.actors.master.ServiceFactory;
import org.smarthost.app.control.ControlCommand;
import org.smarthost.app.control.ControlServer;
import org.smarthost.app.logging.Maillog;
import org.smarthost.app.queue.QueueRuntime;
import org.smarthost.config.ConfigException;
import org.smarthost.protocol.smtpd.MessageReceiver;

/**
 * The composition root: one process doing what Postfix's master and its daemons do.
 *
 * <p>Start-up order: state directories, PID file lock, logging, Pekko (journal plugin on
 * ${queue_directory}/db), the queue, the master.cf services, and last the control channel, whose
 * appearance tells "postfix start" that every service listens.
 */
public final class SmarthostServer {

    private static final Logger log = LoggerFactory.getLogger("postfix/master");
    /**
     * A hundred thousand queued messages save in well under a second. "postfix stop" kills the
     * server after 15 s; a save cut short leaves the previous file, and the start then rebuilds.
     */
    private static final Duration INDEX_SAVE_WAIT = Duration.ofSeconds(8);

    /** How long "postfix stop" lets running SMTP sessions finish before they get a 421. */
    static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(60);

    private volatile MailConfig conf;
    private final boolean verbose;
    private final PidFile pidFile;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private ActorSystem<Void> system;
    private ActorRef<Master.Command> master;
    private ControlServer control;
    private MessageReceiver receiver;
    private QueueRuntime queue;
    private volatile DeliveryTransports transports;
    private final Map<String, ControlCommand> queueCommands = new HashMap<>();

    private SmarthostServer(MailConfig conf, boolean verbose, PidFile pidFile) {
        this.conf = conf;
        this.verbose = verbose;
        this.pidFile = pidFile;
    }

    /**
     * Runs the mail system in this process until it is stopped (SIGTERM, "postfix stop",
     * "postfix abort"). Returns the exit status.
     */
    public static int runForeground(MailConfig conf, boolean verbose) {
        PidFile pid;
        try {
            conf.createDirectories();
            pid = PidFile.acquire(PidFile.path(conf.queueDirectory()));
        } catch (IOException e) {
            System.err.println("postfix/master: fatal: " + e.getMessage());
            return 1;
        }
        Maillog.configureDaemon(conf.syslogName(), conf.myhostname(), conf.maillogFile(),
                conf.dataDirectory().resolve("smarthost.log"), verbose);
        SmarthostServer server = new SmarthostServer(conf, verbose, pid);
        try {
            server.start();
        } catch (Exception e) {
            String message = e instanceof StartupException || e instanceof ConfigException
                    ? e.getMessage() : e.toString();
            log.error("fatal: {}", message);
            System.err.println("postfix/master: fatal: " + message);
            server.stop(Duration.ZERO, null, false);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(STOP_GRACE, "terminating on signal 15", true),
                "shutdown"));
        server.reloadOnSighup();
        server.terminated.join();
        return 0;
    }

    private void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "smarthost",
                PekkoSettings.build(conf.storeDirectory(), verbose));
        receiver = startQueue();
        master = system.systemActorOf(Master.create(), "master", Props.empty());
        Master.Applied applied = apply(conf);
        if (!applied.ok()) throw new StartupException(String.join("; ", applied.failures()));
        control = ControlServer.bind(conf.queueDirectory());
        control.registerAll(queueCommands);
        control.register("reload", this::reload);
        control.register("abort", this::abort);
        control.register("logrotate", (args, out, err) -> {
            Maillog.reopen();
            return 0;
        });
        log.info("daemon started -- version {}, configuration {}", conf.mailVersion(), conf.configDirectory());
    }

    /** The queue: what smtpd hands messages to, and the commands behind postqueue & co. */
    private MessageReceiver startQueue() {
        QueueRuntime queue = QueueRuntime.start(system, QueueSettingsFactory.forServer(conf));
        queueCommands.putAll(queue.controlCommands());
        startDelivery(queue);
        return queue.receiver();
    }

    /** qmgr, trivial-rewrite, bounce and the delivery agents of master.cf. */
    private void startDelivery(QueueRuntime queue) {
        org.smarthost.config.Config c = conf.config();
        this.queue = queue;
        this.transports = new DeliveryTransports(c, conf.masterServices(), queue.queue().bodies(), conf.queueDirectory());
        system.getWhenTerminated().whenComplete((d, e) -> transports.close());
        queue.queue().startDelivery(DeliverySettingsFactory.scheduler(c), DeliverySettingsFactory.resolver(conf),
                transports, new org.smarthost.protocol.dsn.DsnComposer(DeliverySettingsFactory.dsn(c)));
    }

    /**
     * Routing and delivery from a reloaded configuration. Built before anything is switched, so
     * that a bad value leaves the running configuration in place.
     */
    private void reloadDelivery(MailConfig next) {
        org.smarthost.config.Config c = next.config();
        var settings = DeliverySettingsFactory.scheduler(c);
        var resolver = DeliverySettingsFactory.resolver(next);
        DeliveryTransports replacement = new DeliveryTransports(c, next.masterServices(), queue.queue().bodies(), next.queueDirectory());
        DeliveryTransports old = transports;
        transports = replacement;
        queue.queue().reconfigureDelivery(settings, resolver, replacement, old::close);
    }

    private Master.Applied apply(MailConfig c) throws Exception {
        Map<String, ServiceFactory> factories = Map.of("smtpd", new SmtpdServiceFactory(c, receiver));
        return AskPattern.<Master.Command, Master.Applied>ask(master,
                        replyTo -> new Master.Apply(c.services(), factories, replyTo), ASK_TIMEOUT, system.scheduler())
                .toCompletableFuture().get(ASK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    }

    /** "postfix reload": re-read main.cf and master.cf, then open, close and replace services. */
    private synchronized int reload(List<String> args, PrintWriter out, PrintWriter err) throws Exception {
        MailConfig next;
        try {
            next = MailConfig.load(conf.configDirectory());
            next.services();
            var queueSettings = QueueSettingsFactory.forServer(next);
            reloadDelivery(next); // a bad pair of backoff times fails here, before anything changes
            queue.queue().reconfigure(queueSettings);
        } catch (RuntimeException e) {   // ConfigException, or a bad value met building delivery
            err.println("postfix/master: fatal: " + e.getMessage() + " (configuration not reloaded)");
            log.warn("warning: reload failed: {}", e.getMessage());
            return 1;
        }
        conf = next;
        log.info("reload -- version {}, configuration {}", next.mailVersion(), next.configDirectory());
        Master.Applied applied = apply(next);
        for (String failure : applied.failures()) {
            log.warn("warning: {}", failure);
            err.println("postfix/master: warning: " + failure);
        }
        return applied.ok() ? 0 : 1;
    }

    /** {@code kill -HUP} reloads, as it does Postfix's master. */
    @SuppressWarnings("sunapi")
    private void reloadOnSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> new Thread(() -> {
                java.io.StringWriter text = new java.io.StringWriter();
                try {
                    reload(List.of(), new PrintWriter(text), new PrintWriter(text));
                } catch (Exception e) {
                    log.warn("warning: reload on SIGHUP failed: {}", e.toString());
                }
            }, "sighup").start());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.debug("SIGHUP cannot be handled on this JVM: {}", e.toString());
        }
    }

    /** "postfix abort": stop now; sessions are cut without waiting. */
    private int abort(List<String> args, PrintWriter out, PrintWriter err) {
        Thread t = new Thread(() -> {
            stop(Duration.ZERO, "terminating on abort request", false);
            System.exit(0);
        }, "abort");
        t.start();
        return 0;
    }

    /**
     * Idempotent; blocks until services, queue and journal are closed.
     *
     * @param saveIndex save the queue index for a quick next start ("postfix stop", not abort)
     */
    private void stop(Duration grace, String reason, boolean saveIndex) {
        if (!stopping.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            if (reason != null) log.info(reason);
            if (master != null) {
                try {
                    AskPattern.<Master.Command, Master.Stopped>ask(master, replyTo -> new Master.Stop(grace, replyTo),
                                    grace.plusSeconds(10), system.scheduler())
                            .toCompletableFuture().get(grace.toSeconds() + 15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.warn("warning: services did not stop cleanly: {}", e.toString());
                }
            }
            if (control != null) control.close();
            if (saveIndex && queue != null) saveQueueIndex();
            if (system != null) {
                system.terminate();
                try {
                    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.warn("warning: queue did not stop cleanly: {}", e.toString());
                }
            }
            try {
                pidFile.close();
            } catch (IOException e) {
                // the lock goes with the process anyway
            }
        } finally {
            Maillog.flush();
            terminated.complete(null);
        }
    }

    private void saveQueueIndex() {
        try {
            queue.queue().saveIndex().toCompletableFuture().get(INDEX_SAVE_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            // the next start rebuilds the index from the journal instead
            log.warn("warning: queue index not saved: {}", e.toString());
        }
    }

    /** A start-up problem worded for the administrator. */
    static final class StartupException extends Exception {
        StartupException(String message) {
            super(message);
        }
    }
}
