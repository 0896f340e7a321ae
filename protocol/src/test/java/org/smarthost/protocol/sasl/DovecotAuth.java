package org.smarthost.protocol.sasl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A private Dovecot (Debian package dovecot-core) serving only its auth service: the client
 * socket {@code <dir>/auth} (mode 0666) and a loopback TCP port; mechanisms PLAIN, LOGIN,
 * ANONYMOUS, CRAM-MD5, DIGEST-MD5 and SCRAM-SHA-1 (their security properties differ); a
 * passwd-file passdb with {@code {PLAIN}} passwords ("alice"/"secret", "bob"/"hunter2") and, after
 * it, for user "tempfail" only, a checkpassword passdb whose script exits 111 (temporary
 * failure), so that user ends in Dovecot's {@code FAIL code=temp_fail}; and for user "slow" one
 * that takes 30 seconds to do the same. No failure delay, so failures are as
 * fast as successes, and no auth penalty. Runs as root (Dovecot's own users) or as the current user.
 */
public final class DovecotAuth implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/dovecot");

    public final Path dir;
    public final Path socket;
    /** The auth-userdb socket: a Dovecot socket that is not a client one. */
    public final Path userdbSocket;
    public final int port;
    private final Path conf;
    private Process process;

    private DovecotAuth(Path dir, Path socket, int port, Path conf) {
        this.dir = dir;
        this.socket = socket;
        this.userdbSocket = dir.resolve("run").resolve("auth-userdb");
        this.port = port;
        this.conf = conf;
    }

    /** Starts Dovecot in {@code dir}; {@code disablePlaintextAuth} is its setting of that name. */
    public static DovecotAuth start(Path dir, boolean disablePlaintextAuth) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        // Dovecot's unprivileged processes (as root: users dovecot, dovenull) read the files here.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path users = dir.resolve("users");
        Files.writeString(users, "alice:{PLAIN}secret\nbob:{PLAIN}hunter2\n");
        Path tempfail = dir.resolve("tempfail.sh");
        Files.writeString(tempfail, "#!/bin/sh\nexit 111\n");
        Path slow = dir.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\nsleep 30\nexit 111\n");
        for (Path script : new Path[] {tempfail, slow}) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        PosixFileAttributes owner = Files.readAttributes(dir, PosixFileAttributes.class);
        int port = freePort();
        Path socket = dir.resolve("auth");
        String config = String.join("\n",
                "instance_name = smarthost-sasl-test-" + UUID.randomUUID(),
                "base_dir = " + run,
                "state_dir = " + run.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols =",
                "listen = 127.0.0.1",
                "ssl = no",
                "auth_mechanisms = plain login anonymous cram-md5 digest-md5 scram-sha-1",
                "auth_debug = yes",
                "disable_plaintext_auth = " + (disablePlaintextAuth ? "yes" : "no"),
                "auth_failure_delay = 0",
                "auth_verbose = yes",
                root ? "" : "default_internal_user = " + owner.owner().getName(),
                root ? "" : "default_login_user = " + owner.owner().getName(),
                root ? "" : "default_internal_group = " + owner.group().getName(),
                "passdb {", "  driver = passwd-file", "  args = " + users, "}",
                "passdb {", "  driver = checkpassword", "  args = " + tempfail, "  username_filter = tempfail", "}",
                "passdb {", "  driver = checkpassword", "  args = " + slow, "  username_filter = slow", "}",
                "userdb {", "  driver = static", "  args = uid=65534 gid=65534 home=" + dir.resolve("home"), "}",
                "service auth {",
                "  unix_listener " + socket + " {", "    mode = 0666", "  }",
                "  inet_listener {", "    address = 127.0.0.1", "    port = " + port, "  }",
                "}",
                // No auth penalty (Dovecot delays requests from a client address with recent failures,
                // up to 15 s): the auth process cannot reach anvil's penalty socket and goes without.
                "service anvil {", "  unix_listener anvil-auth-penalty {", "    mode = 0", "  }", "}",
                "");
        Path conf = dir.resolve("dovecot.conf");
        Files.writeString(conf, config);
        DovecotAuth dovecot = new DovecotAuth(dir, socket, port, conf);
        dovecot.start();
        return dovecot;
    }

    /** Starts (again, after {@link #stop()}) and waits until both listeners accept. */
    public void start() throws Exception {
        Files.deleteIfExists(socket);
        process = new ProcessBuilder(BINARY.toString(), "-F", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dovecot.out").toFile()))
                .start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                if (Files.exists(socket) && Files.exists(userdbSocket)) break;
            } catch (IOException notYet) {
                // keep waiting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                stop();
                throw new IOException("dovecot did not start: " + Files.readString(dir.resolve("dovecot.out"))
                        + (Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : ""));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Stops Dovecot: kills the master and its service processes at once (on SIGTERM the master
     * takes seconds, and the auth process keeps serving the connections it has), and waits until
     * all are dead, so that the sockets refuse connections.
     */
    public void stop() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        // The master first: alive, it would start a new service process (anvil, say) in place of
        // one killed before it, which would outlive this and hold its socket, and the next start
        // then fails with "Socket already exists".
        process.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        try {
            for (ProcessHandle p : all) awaitDeath(p);
            process.waitFor();
            awaitSocketsClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Until no process listens on a UNIX socket of this instance any more (at most 10 s). */
    private void awaitSocketsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean listening = false;
            try (var files = Files.walk(dir.resolve("run"))) {
                for (Path f : files.filter(f -> !Files.isDirectory(f) && !Files.isRegularFile(f)).toList()) {
                    try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                        ch.connect(java.net.UnixDomainSocketAddress.of(f));
                        listening = true;
                    } catch (IOException refused) {
                        // closed: what we wait for
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                return; // the directory went away
            }
            if (!listening) return;
            Thread.sleep(20);
        }
    }

    /**
     * Kills the auth process, as a crash would, with its checkpassword children (they inherit its
     * client connections); the master starts another on the next connection.
     */
    public void killAuthProcess() throws InterruptedException {
        List<ProcessHandle> auth = process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/dovecot/auth")).orElse(false)).toList();
        if (auth.isEmpty()) throw new IllegalStateException("no auth process");
        List<ProcessHandle> all = new ArrayList<>(auth);
        for (ProcessHandle p : auth) all.addAll(p.descendants().toList());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) awaitDeath(p);
    }

    /** Waits until Dovecot runs a process whose command line contains {@code fragment} (a checkpassword script). */
    public void awaitProcess(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (process.descendants().noneMatch(p -> p.info().commandLine().orElse("").contains(fragment))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("dovecot runs no " + fragment);
            Thread.sleep(10);
        }
    }

    /**
     * Waits until a killed process is dead: gone, or a zombie (its sockets are closed then; the
     * orphan is reaped by init, whenever init gets to it, which {@code onExit()} would wait for).
     */
    private static void awaitDeath(ProcessHandle p) throws InterruptedException {
        Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (p.isAlive()) {
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) return;
            } catch (IOException gone) {
                return;
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("dovecot process " + p.pid() + " did not exit");
            Thread.sleep(10);
        }
    }

    public String log() throws IOException {
        Path log = dir.resolve("dovecot.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Override public void close() {
        stop();
    }
}
