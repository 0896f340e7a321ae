package org.smarthost.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A private Dovecot (Debian package dovecot-core) serving only its auth service, for smtpd's
 * {@code smtpd_sasl_type = dovecot}: the auth-client socket {@code DIR/auth} (mode 0666),
 * mechanism PLAIN, a passwd-file with {@code {PLAIN}} passwords ("alice"/"secret",
 * "bob"/"hunter2"). A trimmed copy of the protocol module's test DovecotAuth (this module depends
 * on no other smarthost module). Runs as root (Dovecot's own users) or as the current user.
 */
public final class DovecotAuthServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/dovecot");

    private final Path dir;
    private final Path socket;
    private final Process process;

    private DovecotAuthServer(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts Dovecot with its configuration and files in {@code dir} and waits (at most 10 s) for
     * the auth socket. Every directory above {@code dir} must be searchable by Dovecot's
     * unprivileged users when run as root.
     */
    public static DovecotAuthServer start(Path dir) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.createDirectories(dir);
        // Dovecot's unprivileged auth process (as root: user dovecot) reads the passwd-file here.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path users = dir.resolve("users");
        Files.writeString(users, "alice:{PLAIN}secret\nbob:{PLAIN}hunter2\n");
        PosixFileAttributes owner = Files.readAttributes(dir, PosixFileAttributes.class);
        Path socket = dir.resolve("auth");
        String config = String.join("\n",
                "instance_name = smarthost-loadtest-" + UUID.randomUUID(),
                "base_dir = " + run,
                "state_dir = " + run.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols =",
                "listen = 127.0.0.1",
                "ssl = no",
                "auth_mechanisms = plain",
                "disable_plaintext_auth = no",
                root ? "" : "default_internal_user = " + owner.owner().getName(),
                root ? "" : "default_login_user = " + owner.owner().getName(),
                root ? "" : "default_internal_group = " + owner.group().getName(),
                "passdb {", "  driver = passwd-file", "  args = " + users, "}",
                "userdb {", "  driver = static", "  args = uid=65534 gid=65534 home=" + dir.resolve("home"), "}",
                "service auth {",
                "  unix_listener " + socket + " {", "    mode = 0666", "  }",
                "}",
                "");
        Path conf = dir.resolve("dovecot.conf");
        Files.writeString(conf, config);
        Process process = new ProcessBuilder(BINARY.toString(), "-F", "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dovecot.out").toFile()))
                .start();
        DovecotAuthServer dovecot = new DovecotAuthServer(dir, socket, process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                dovecot.close();
                throw new IOException("dovecot did not start: " + Files.readString(dir.resolve("dovecot.out"))
                        + dovecot.log());
            }
            Thread.sleep(20);
        }
        return dovecot;
    }

    /** The auth-client socket, for {@code smtpd_sasl_path}. */
    public Path socket() {
        return socket;
    }

    public String log() throws IOException {
        Path log = dir.resolve("dovecot.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Kills the master and its service processes at once and waits until they are gone. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            awaitDeath(p);
        }
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Waits (at most 10 s) until a killed process is gone or a zombie: an orphaned service
     * process is dead, its sockets closed, whenever init gets round to reaping it.
     */
    private static void awaitDeath(ProcessHandle p) throws InterruptedException {
        Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                    return;
                }
            } catch (IOException gone) {
                return;
            }
            Thread.sleep(10);
        }
    }
}
