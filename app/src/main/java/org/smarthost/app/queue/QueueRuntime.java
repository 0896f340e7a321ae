package org.smarthost.app.queue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.smarthost.actors.queue.QueueSettings;
import org.smarthost.actors.queue.QueueSystem;
import org.smarthost.app.control.ControlClient;
import org.smarthost.app.control.ControlCommand;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.protocol.smtpd.MessageReceiver;

/**
 * The queue as the application sees it: one call starts it inside the server's actor system
 * and yields the MessageReceiver for smtpd and the control commands behind postqueue,
 * mailq, postsuper, postcat and {@code smarthost history}. {@link #runTool} is the CLI side:
 * it runs a tool in the server over the control channel, or, when the mail system is down,
 * in its own process against the store opened directly.
 */
public final class QueueRuntime {

    /** Control command names, which are also the program names. */
    public static final List<String> PROGRAMS = List.of("postqueue", "mailq", "postsuper", "postcat", "history");

    private final QueueSystem queue;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private QueueRuntime(QueueSystem queue) {
        this.queue = queue;
    }

    /**
     * Starts the queue in {@code system}, whose journal plugin must be the one storing into
     * {@code settings.storeDirectory()}. The body store is closed when the system terminates.
     */
    public static QueueRuntime start(ActorSystem<?> system, QueueSettings settings) {
        BodyStore bodies = BodyStore.open(settings.storeDirectory());
        QueueRuntime runtime = new QueueRuntime(QueueSystem.start(system, settings, bodies,
                QueueIdGenerator.forThisProcess(), Clock.systemUTC()));
        // A termination callback runs before getWhenTerminated() completes, so whoever waits for
        // the system (the server's stop, a command) knows the database is closed when it exits.
        // A callback on that future instead ran after it, on a Pekko thread, and lost to the exit.
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system).registerOnTermination(runtime::closeBodies);
        return runtime;
    }

    /** Gives back the body store's reference to the database (idempotent; done at termination). */
    public void closeBodies() {
        if (closed.compareAndSet(false, true)) queue.bodies().close();
    }

    public MessageReceiver receiver() {
        return queue.receiver();
    }

    public QueueSystem queue() {
        return queue;
    }

    /** Register these with the control server under their names. */
    public Map<String, ControlCommand> controlCommands() {
        Map<String, ControlCommand> commands = new LinkedHashMap<>();
        commands.put("postqueue", tool("postqueue", PostqueueTool.USAGE, (io) -> new PostqueueTool(queue, io.out, io.err)));
        commands.put("mailq", (args, out, err) -> {
            // mailq is postqueue -p; Sendmail's mailq options are accepted and ignored
            return ToolSupport.execute(new PostqueueTool(queue, out, err), "mailq", PostqueueTool.USAGE,
                    List.of("-p"), out, err);
        });
        commands.put("postsuper", tool("postsuper", PostsuperTool.USAGE, (io) -> new PostsuperTool(queue, io.out, io.err)));
        commands.put("postcat", tool("postcat", PostcatTool.USAGE, (io) -> new PostcatTool(queue, io.out, io.err)));
        commands.put("history", tool("smarthost", HistoryTool.USAGE, (io) -> new HistoryTool(queue, io.out, io.err)));
        return commands;
    }

    private record Io(PrintWriter out, PrintWriter err) { }

    private static ControlCommand tool(String program, String usage, Function<Io, Object> factory) {
        return (args, out, err) -> ToolSupport.execute(factory.apply(new Io(out, err)), program, usage, args, out, err);
    }

    /**
     * The CLI entry point for postqueue, mailq, postsuper, postcat and {@code smarthost
     * history} (program "history"): runs in the server when it is up, else directly on the store.
     *
     * @return the exit status
     */
    public static int runTool(String program, List<String> args, QueueSettings settings, PrintStream stdout,
                              PrintStream stderr) {
        if (!PROGRAMS.contains(program)) throw new IllegalArgumentException("not a queue tool: " + program);
        ControlClient client = new ControlClient(settings.queueDirectory());
        try {
            return client.call(program, args, stdout, stderr);
        } catch (ControlClient.ServerNotRunningException down) {
            if (program.equals("postqueue") || program.equals("mailq")) {
                stderr.println("postqueue: warning: Mail system is down -- accessing queue directly");
            }
            return runOffline(program, args, settings, stdout, stderr);
        } catch (java.io.IOException e) {
            stderr.println(program + ": fatal: lost connection to the mail system: " + e.getMessage());
            return 1;
        }
    }

    /** Runs a tool in this process on the store directly (only while the server is stopped). */
    public static int runOffline(String program, List<String> args, QueueSettings settings, OutputStream stdout,
                                 OutputStream stderr) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "smarthost-tool",
                offlineConfig(settings));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        try {
            return start(system, settings).controlCommands().get(program).run(args, out, err);
        } catch (Exception e) {
            err.println(program + ": fatal: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // exiting anyway
            }
        }
    }

    static Config offlineConfig(QueueSettings settings) {
        Map<String, Object> m = Map.ofEntries(
                Map.entry("pekko.loglevel", "WARNING"),
                Map.entry("pekko.stdout-loglevel", "OFF"),
                Map.entry("pekko.log-dead-letters", "off"),
                Map.entry("pekko.actor.provider", "local"),
                Map.entry("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"),
                Map.entry("pekko.coordinated-shutdown.exit-jvm", "off"),
                Map.entry("pekko.persistence.journal.plugin", "smarthost.journal.rocksdb"),
                Map.entry("pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb"),
                Map.entry("smarthost.store.dir", settings.storeDirectory().toString()));
        return ConfigFactory.parseMap(m, "queue tool").withFallback(ConfigFactory.load());
    }
}
