package org.smarthost.protocol.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

/**
 * A private Dovecot instance (Debian packages dovecot-core and dovecot-lmtpd) serving LMTP on a
 * loopback port and a UNIX socket, with a passwd-file userdb: "alice" (1G quota) and "bob"
 * (a 10-byte quota, so every message exceeds it; quota_full_tempfail = yes makes that a 4xx).
 */
public final class DovecotLmtp implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/dovecot");

    final Path dir;
    public final int port;
    public final Path socket;
    private final Process process;

    private DovecotLmtp(Path dir, int port, Path socket, Process process) {
        this.dir = dir;
        this.port = port;
        this.socket = socket;
        this.process = process;
    }

    public static DovecotLmtp start(Path dir) throws Exception {
        // Delivery runs as the userdb uid; as root that is nobody, who must reach the mail root.
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        Files.setPosixFilePermissions(mail, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path run = Files.createDirectories(dir.resolve("run"));
        int uid = root ? 65534 : (Integer) Files.getAttribute(dir, "unix:uid");
        int gid = root ? 65534 : (Integer) Files.getAttribute(dir, "unix:gid");
        String user = System.getProperty("user.name");
        Path users = dir.resolve("users");
        Files.writeString(users, String.join("\n",
                "alice:{PLAIN}secret:" + uid + ":" + gid + "::" + mail.resolve("alice") + "::userdb_quota_rule=*:storage=1G",
                "bob:{PLAIN}secret:" + uid + ":" + gid + "::" + mail.resolve("bob") + "::userdb_quota_rule=*:bytes=10",
                ""));
        int port = SmtpSink.freePort();
        Path socket = dir.resolve("lmtp.sock");
        String config = String.join("\n",
                "instance_name = smarthost-test-" + UUID.randomUUID(),
                "base_dir = " + run,
                "state_dir = " + run.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols = lmtp",
                "listen = 127.0.0.1",
                "ssl = no",
                "auth_username_format = %Ln",
                "mail_location = maildir:~/Maildir",
                "mail_plugins = quota",
                root ? "" : "default_internal_user = " + user,
                root ? "" : "default_login_user = " + user,
                root ? "" : "default_internal_group = " + user,
                "passdb {", "  driver = passwd-file", "  args = " + users, "}",
                "userdb {", "  driver = passwd-file", "  args = " + users, "}",
                "quota_full_tempfail = yes",
                "plugin {", "  quota = maildir:User quota", "}",
                "service lmtp {",
                "  inet_listener lmtp {", "    address = 127.0.0.1", "    port = " + port, "  }",
                "  unix_listener " + socket + " {", "    mode = 0666", "  }",
                "}",
                "");
        Path conf = dir.resolve("dovecot.conf");
        Files.writeString(conf, config);
        Process process = new ProcessBuilder(BINARY.toString(), "-F", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dovecot.out").toFile()).start();
        DovecotLmtp dovecot = new DovecotLmtp(dir, port, socket, process);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                if (Files.exists(socket)) break;
            } catch (IOException notYet) {
                // keep waiting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                dovecot.close();
                throw new IOException("dovecot did not start: " + Files.readString(dir.resolve("dovecot.out"))
                        + (Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : ""));
            }
            Thread.sleep(50);
        }
        return dovecot;
    }

    /** Files delivered to a user's Maildir/new. */
    public List<Path> newMail(String user) throws IOException {
        Path dirNew = dir.resolve("mail").resolve(user).resolve("Maildir").resolve("new");
        if (!Files.isDirectory(dirNew)) return List.of();
        try (var files = Files.list(dirNew)) {
            return files.sorted().toList();
        }
    }

    @Override public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
