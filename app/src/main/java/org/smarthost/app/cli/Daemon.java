package org.smarthost.app.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.smarthost.app.Main;
import org.smarthost.app.control.ControlClient;
import org.smarthost.app.server.MailConfig;

/**
 * "postfix start": runs the server as a detached process (its own session, no terminal) and
 * waits, like Postfix's {@code master -w}, until it reports that every service listens or dies
 * trying. The server's stdout/stderr (JVM crashes, start-up errors) go to
 * {@code data_directory/master.out}.
 */
final class Daemon {

    private static final long STARTUP_TIMEOUT_MILLIS = 120_000;

    private Daemon() {
    }

    static boolean spawn(MailConfig conf, Path configDir, boolean verbose) throws IOException {
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) command.add(setsid.toString());
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // bin/smarthost's options for every JVM, then those for the server alone
        List<String> userOptions = new ArrayList<>();
        for (String variable : List.of("SMARTHOST_JAVA_OPTS", "SMARTHOST_SERVER_JAVA_OPTS")) {
            String opts = System.getenv(variable);
            if (opts != null && !opts.isBlank()) userOptions.addAll(Arrays.asList(opts.trim().split("\\s+")));
        }
        String classPath = System.getProperty("java.class.path");
        command.addAll(ClassArchive.options(conf.dataDirectory(), classPath, userOptions));
        command.addAll(userOptions);
        command.addAll(List.of("-cp", classPath, Main.class.getName(), "master", "-c", configDir.toString()));
        if (verbose) command.add("-v");
        Path out = conf.dataDirectory().resolve("master.out");
        Process server = new ProcessBuilder(command)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile())
                .redirectErrorStream(true)
                .start();
        ControlClient control = new ControlClient(conf.queueDirectory());
        long deadline = System.currentTimeMillis() + STARTUP_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!server.isAlive()) {
                copyErrors(out);
                return false;
            }
            if (control.isServerRunning()) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        System.err.println("postfix/postfix-script: fatal: the mail system did not start within "
                + STARTUP_TIMEOUT_MILLIS / 1000 + "s; see " + out);
        return false;
    }

    /** Shows why the server died: its own fatal messages, or the JVM's. */
    private static void copyErrors(Path out) {
        try {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) System.err.println(line);
        } catch (IOException e) {
            // nothing more to show
        }
    }
}
