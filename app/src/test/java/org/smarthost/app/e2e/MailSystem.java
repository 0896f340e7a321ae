package org.smarthost.app.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private copy of the embedded default configuration (conf/) in a temp directory, with smtpd
 * on a free loopback port, driven through the real bin/ commands.
 */
final class MailSystem implements AutoCloseable {

    static final Path REPO = findRepo();

    final Path root;
    final Path configDir;
    final int port;
    /** SMARTHOST_JAVA_OPTS for the bin/ commands (and so the server they start); empty: none. */
    private String javaOpts = "";
    /** SMARTHOST_SERVER_JAVA_OPTS: for the server process only; empty: none. */
    private String serverJavaOpts = "";

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    MailSystem(Path root) throws IOException {
        this.root = root;
        this.configDir = root.resolve("conf");
        this.port = freePort();
        Files.createDirectories(configDir);
        Files.copy(REPO.resolve("conf/main.cf"), configDir.resolve("main.cf"));
        // Tests never reach beyond loopback: without this, mail would go to real MX hosts.
        // A closed loopback port keeps accepted mail deferred in the queue.
        Files.writeString(configDir.resolve("main.cf"), "relayhost = [127.0.0.1]:" + freePort() + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        writeMasterCf("127.0.0.1:" + port + " inet n - n - - smtpd\n");
    }

    /** Appends lines to main.cf; a later line wins over an earlier one, as in Postfix. */
    void appendMainCf(String... lines) throws IOException {
        Files.writeString(configDir.resolve("main.cf"), String.join("\n", lines) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** JVM options for the server started by later {@code run("postfix", "start")} calls. */
    void javaOpts(String options) {
        this.javaOpts = options;
    }

    /** JVM options for the server process alone (not the bin/ tools). */
    void serverJavaOpts(String options) {
        this.serverJavaOpts = options;
    }

    /** master.cf: the given inet lines plus the stock internal services of conf/master.cf. */
    void writeMasterCf(String inetLines) throws IOException {
        StringBuilder text = new StringBuilder(inetLines);
        for (String line : Files.readAllLines(REPO.resolve("conf/master.cf"))) {
            if (!line.contains(" inet ")) text.append(line).append('\n');
        }
        Files.writeString(configDir.resolve("master.cf"), text.toString());
    }

    Path maillog() {
        return root.resolve("state/log/maillog");
    }

    /** The mail log so far; empty before the server has written it (for polling). */
    String maillogText() {
        try {
            return Files.readString(maillog());
        } catch (IOException e) {
            return "";
        }
    }

    Path pidFile() {
        return root.resolve("state/queue/pid/master.pid");
    }

    /** Runs bin/&lt;program&gt; -c configDir args... */
    Result run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(REPO.resolve("bin").resolve(program).toString());
        command.add("-c");
        command.add(configDir.toString());
        command.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>();
        if (!javaOpts.isEmpty()) env.put("SMARTHOST_JAVA_OPTS", javaOpts);
        if (!serverJavaOpts.isEmpty()) env.put("SMARTHOST_SERVER_JAVA_OPTS", serverJavaOpts);
        return exec(command, null, env);
    }

    static Result exec(List<String> command, String stdin) throws IOException, InterruptedException {
        return exec(command, stdin, Map.of());
    }

    static Result exec(List<String> command, String stdin, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.remove("MAIL_CONFIG");
        env.putAll(extraEnv);
        env.put("SMARTHOST_NO_BUILD", "1");
        Path out = Files.createTempFile("smarthost-out", ".txt");
        Path err = Files.createTempFile("smarthost-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            }
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * A new temporary directory for a test's mail system and peers, readable by all: smtp-sink
     * drops to nobody and must reach the dump directories below it.
     */
    static Path newRoot(String prefix) throws IOException {
        Path root = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    /** Removes a test's directory and everything under it (nothing when it was never made). */
    static void deleteTree(Path root) throws IOException {
        if (root == null) return;
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Stops whatever is still running (a failed test must not leave a server behind). */
    @Override
    public void close() throws Exception {
        if (Files.exists(pidFile())) {
            Result status = run("postfix", "status");
            if (status.exit() == 0) {
                run("postfix", "abort");
            }
            long pid = Long.parseLong(Files.readString(pidFile()).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static Path findRepo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("bin/smarthost"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("bin/smarthost not found above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
