package org.smarthost.loadtests;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real smarthost of this repository, from the outside: a private configuration directory
 * ({@code DIR/etc} with main.cf and master.cf; queue, data and maillog under {@code DIR}) and the
 * built {@code bin/postfix -c DIR/etc start} / {@code stop}, run from the repository root, as
 * load-tests/bin/bench-lib.sh and the app module's end-to-end tests do. Nothing of smarthost is on
 * this module's class path: it is found as files (the repository above the working directory,
 * and {@code app/target/smarthost-app.jar} with its {@code lib/}), and never built from here
 * ({@code SMARTHOST_NO_BUILD=1}).
 */
public final class Smarthost implements AutoCloseable {

    public static final Path OPENSSL = Path.of("/usr/bin/openssl");

    /** The repository root (the directory holding bin/smarthost), or null. */
    public static final Path REPO = findRepo();

    private final Path dir;
    private final Path etc;

    private Smarthost(Path dir) {
        this.dir = dir;
        this.etc = dir.resolve("etc");
    }

    /** Why smarthost cannot be started from here, or null when it can. */
    public static String unavailable() {
        if (REPO == null) {
            return "no bin/smarthost above " + Path.of("").toAbsolutePath();
        }
        Path target = REPO.resolve("app/target");
        if (!Files.isRegularFile(target.resolve("smarthost-app.jar")) || !Files.isDirectory(target.resolve("lib"))) {
            return "smarthost is not built (" + target.resolve("smarthost-app.jar") + " or lib/ is missing;"
                    + " mvn -B -o install -DskipTests)";
        }
        return null;
    }

    /**
     * Writes {@code DIR/etc/main.cf} (the paths under DIR, loopback only, then {@code mainCf}) and
     * master.cf ({@code inetLines}, then the internal services of the repository's
     * conf/master.cf), starts smarthost and waits until each of {@code ports} accepts connections.
     */
    public static Smarthost start(Path dir, List<String> mainCf, String inetLines, int... ports)
            throws IOException, InterruptedException {
        Smarthost smarthost = new Smarthost(dir);
        Files.createDirectories(smarthost.etc);
        Files.createDirectories(dir.resolve("queue"));
        Files.createDirectories(dir.resolve("data"));
        List<String> main = new ArrayList<>(List.of(
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + dir.resolve("data"),
                "maillog_file = " + smarthost.maillog(),
                "myhostname = smarthost-loadtest.localdomain",
                "mydestination =",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4"));
        main.addAll(mainCf);
        Files.write(smarthost.etc.resolve("main.cf"), main);
        StringBuilder master = new StringBuilder(inetLines.endsWith("\n") ? inetLines : inetLines + "\n");
        for (String line : Files.readAllLines(REPO.resolve("conf/master.cf"))) {
            if (!line.contains(" inet ")) {
                master.append(line).append('\n');
            }
        }
        Files.writeString(smarthost.etc.resolve("master.cf"), master);

        String out = smarthost.postfix("start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int port : ports) {
            while (!listening(port)) {
                if (System.nanoTime() > deadline) {
                    smarthost.close();
                    throw new IOException("smarthost does not listen on 127.0.0.1:" + port + " 60 s after start: "
                            + out + "\nmaillog:\n" + smarthost.maillogText());
                }
                Thread.sleep(100);
            }
        }
        return smarthost;
    }

    public Path maillog() {
        return dir.resolve("maillog");
    }

    public String maillogText() throws IOException {
        return Files.exists(maillog()) ? Files.readString(maillog()) : "";
    }

    /**
     * Runs {@code bin/postfix -c DIR/etc args...} from the repository root; returns its output,
     * or throws with it when the exit status is not 0.
     */
    public String postfix(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/postfix").toString(), "-c", etc.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile());
        Map<String, String> env = pb.environment();
        env.remove("MAIL_CONFIG"); // -c names the configuration
        env.put("SMARTHOST_NO_BUILD", "1");
        Path output = Files.createTempFile(dir, "postfix-" + args[0], ".out");
        // a file, not a pipe: the server started in the background inherits it
        Process p = pb.redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        String text = Files.readString(output);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /**
     * {@code postfix stop}; a master that is still alive 20 s later (its pid file's process, while
     * its command line names this configuration) is killed, and that is an error.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        String stop;
        try {
            stop = postfix("stop");
        } catch (IOException e) {
            stop = e.getMessage(); // not running (a failed start), or stop failed: see below
        }
        Path pidFile = dir.resolve("queue/pid/master.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String text = Files.readString(pidFile).trim();
        Optional<ProcessHandle> master = text.matches("\\d+") ? ProcessHandle.of(Long.parseLong(text)) : Optional.empty();
        if (master.isEmpty() || !master.get().info().commandLine().orElse("").contains(dir.toString())) {
            return;
        }
        try {
            master.get().onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            master.get().destroyForcibly();
            throw new IOException("smarthost (pid " + text + ") outlived postfix stop and was killed: " + stop);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A self-signed RSA key and certificate for {@code cn} made by openssl(1), as PEM files
     * {@code dir/key.pem} (PKCS#8, unencrypted) and {@code dir/cert.pem}; returns {key, cert}.
     */
    public static Path[] selfSignedCertificate(Path dir, String cn) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        Path log = dir.resolve("openssl.out");
        Process p = new ProcessBuilder(OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + cn)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl req failed: " + Files.readString(log));
        }
        return new Path[] {key, cert};
    }

    private static Path findRepo() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isExecutable(d.resolve("bin/smarthost"))) {
            d = d.getParent();
        }
        return d;
    }
}
