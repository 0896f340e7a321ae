package org.smarthost.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.app.control.ControlClient;
import org.smarthost.app.logging.Maillog;
import org.smarthost.app.server.MailConfig;
import org.smarthost.app.server.PidFile;
import org.smarthost.app.server.SmarthostServer;
import org.smarthost.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * postfix(1): start, stop and inspect the mail system, with the messages and exit statuses of
 * Postfix 3.7's postfix-script.
 */
@Command(name = "postfix", description = "Postfix control program")
public final class PostfixCommand implements Callable<Integer> {

    static final String USAGE = "Usage: postfix start (or stop, reload, abort, flush, check, status, "
            + "set-permissions, upgrade-configuration, logrotate)";

    @Option(names = "-c", paramLabel = "config_dir", description = "configuration directory")
    String configDir;

    @Option(names = "-v", description = "verbose logging (repeat for more)")
    boolean[] verbose = new boolean[0];

    @Option(names = "-D", description = "run daemons under a debugger (not supported)")
    boolean debugger;

    @Parameters(arity = "0..*", paramLabel = "command")
    List<String> words = new ArrayList<>();

    /**
     * Whether stderr is a terminal, as bin/smarthost found it ({@code [[ -t 2 ]]}; Java 17 cannot
     * tell for stderr alone). Unset, as when the command runs inside another JVM, counts as yes.
     */
    static final boolean STDERR_IS_TERMINAL = !"false".equals(System.getProperty("smarthost.stderr.terminal"));

    private Logger script;
    private MailConfig conf;

    public static int main(String[] args) {
        CommandLine cli = new CommandLine(new PostfixCommand());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("postfix: fatal: usage: postfix [-c config_dir] [-Dv] command");
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        Maillog.configureBootstrap();
        if (words.isEmpty()) {
            System.err.println("postfix: fatal: usage: postfix [-c config_dir] [-Dv] command");
            return 1;
        }
        Path dir = MailConfig.resolveConfigDirectory(configDir);
        try {
            conf = MailConfig.load(dir);
        } catch (ConfigException e) {
            System.err.println("postfix: fatal: " + e.getMessage());
            return 1;
        }
        Maillog.configureCommand(conf.syslogName(), conf.myhostname(), conf.maillogFile(), verbose.length > 0,
                STDERR_IS_TERMINAL);
        script = LoggerFactory.getLogger("postfix/postfix-script");
        String command = words.get(0);
        List<String> rest = words.subList(1, words.size());
        try {
            return switch (command) {
                case "start" -> start(false);
                case "start-fg" -> start(true);
                case "stop" -> stop();
                case "abort" -> abort();
                case "status" -> status();
                case "reload" -> reload();
                case "flush" -> flush();
                case "check" -> check();
                case "logrotate" -> rest.isEmpty() ? logrotate() : fatal("usage postfix logrotate (no arguments)");
                case "set-permissions", "upgrade-configuration" ->
                        fatal(command + " is not needed by smarthost: it creates its own directories, "
                                + "owned by the user who runs it");
                default -> fatal("unknown command: '" + command + "'. " + USAGE);
            };
        } catch (IOException e) {
            return fatal(e.getMessage());
        }
    }

    private int start(boolean foreground) throws IOException {
        if (running()) return fatal("the Postfix mail system is already running");
        if (!checkFatal()) return fatal("Postfix integrity check failed!");
        // maillog_file's directory may only just exist: log this start there too
        Maillog.configureCommand(conf.syslogName(), conf.myhostname(), conf.maillogFile(), verbose.length > 0,
                STDERR_IS_TERMINAL);
        checkWarn();
        script.info("starting the Postfix mail system");
        if (foreground) {
            return SmarthostServer.runForeground(conf, verbose.length > 0);
        }
        return Daemon.spawn(conf, configDir(), verbose.length > 0) ? 0 : fatal("mail system startup failed");
    }

    private int stop() {
        if (!running()) return fatal("the Postfix mail system is not running");
        script.info("stopping the Postfix mail system");
        OptionalLong pid = PidFile.readPid(pidFile());
        pid.ifPresent(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroy));     // SIGTERM
        // Postfix waits five seconds; a JVM flushing its journal needs a little longer.
        for (int i = 0; i < 15; i++) {
            if (waitStopped(Duration.ofSeconds(1))) return 0;
            script.info("waiting for the Postfix mail system to terminate");
        }
        script.warn("stopping the Postfix mail system with force");
        pid.ifPresent(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        waitStopped(Duration.ofSeconds(5));
        return 0;
    }

    private int abort() throws IOException {
        if (!running()) return fatal("the Postfix mail system is not running");
        script.info("aborting the Postfix mail system");
        try {
            new ControlClient(conf.queueDirectory()).call("abort", List.of(), System.out, System.err);
        } catch (IOException e) {
            PidFile.readPid(pidFile()).ifPresent(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroy));
        }
        waitStopped(Duration.ofSeconds(10));
        return 0;
    }

    private int status() {
        if (!running()) {
            script.info("the Postfix mail system is not running");
            return 1;
        }
        OptionalLong pid = PidFile.readPid(pidFile());
        script.info("the Postfix mail system is running: PID: {}", pid.isPresent() ? pid.getAsLong() : "");
        return 0;
    }

    private int reload() throws IOException {
        if (!running()) return fatal("the Postfix mail system is not running");
        script.info("refreshing the Postfix mail system");
        return control("reload", List.of());
    }

    private int flush() throws IOException {
        if (!running()) {
            System.err.println("postqueue: fatal: Cannot flush mail queue - mail system is down");
            return 1;
        }
        return control("postqueue", List.of("-f"));
    }

    private int check() {
        if (!checkFatal()) return 1;
        checkWarn();
        return 0;
    }

    private int logrotate() throws IOException {
        String maillog = conf.maillogFile();
        String compressor = conf.get("maillog_file_compressor");
        String suffixFormat = conf.get("maillog_file_rotate_suffix");
        for (String[] p : new String[][] {{"maillog_file", maillog}, {"maillog_file_compressor", compressor},
                {"maillog_file_rotate_suffix", suffixFormat}}) {
            if (p[1] == null || p[1].isEmpty()) {
                return fatal("empty '" + p[0] + "' parameter value - logfile rotation failed");
            }
        }
        if (maillog.startsWith("/dev/")) return fatal("not rotating '" + maillog + "'");
        try {
            Path rotated = LogRotation.rotate(Path.of(maillog), suffixFormat, compressor,
                    () -> { if (running()) control("logrotate", List.of()); });
            LoggerFactory.getLogger("postfix/postfix-script").debug("rotated {} to {}", maillog, rotated);
            return 0;
        } catch (IOException | InterruptedException e) {
            return fatal("logfile '" + maillog + "' rotation failed: " + e.getMessage());
        }
    }

    /** Postfix's check-fatal: the configuration loads and every directory exists or can be made. */
    private boolean checkFatal() {
        Path masterCf = conf.configDirectory().resolve("master.cf");
        if (!Files.isRegularFile(masterCf)) {
            fatal("no " + masterCf + " file found");
            return false;
        }
        try {
            conf.services();
        } catch (ConfigException e) {
            System.err.println("postfix: fatal: " + e.getMessage());
            return false;
        }
        try {
            conf.createDirectories();
        } catch (IOException e) {
            fatal("unable to create missing queue directories: " + e.getMessage());
            return false;
        }
        return true;
    }

    /** Postfix's check-warn: permissions, plus main.cf settings smarthost ignores for now. */
    private void checkWarn() {
        for (String warning : conf.directoryWarnings()) script.warn("warning: {}", warning);
        for (String name : conf.unimplementedParameters()) {
            script.warn("warning: {}: parameter {} is not implemented by smarthost yet; it has no effect",
                    conf.configDirectory().resolve("main.cf"), name);
        }
    }

    private int control(String command, List<String> args) throws IOException {
        try {
            return new ControlClient(conf.queueDirectory()).call(command, args, System.out, System.err);
        } catch (ControlClient.ServerNotRunningException e) {
            return fatal("the Postfix mail system is not running");
        }
    }

    private boolean running() {
        return PidFile.isLocked(pidFile());
    }

    private boolean waitStopped(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!running()) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !running();
            }
        }
        return !running();
    }

    private Path pidFile() {
        return PidFile.path(conf.queueDirectory());
    }

    private Path configDir() {
        return conf.configDirectory();
    }

    private int fatal(String message) {
        script.error("fatal: {}", message);
        return 1;
    }
}
