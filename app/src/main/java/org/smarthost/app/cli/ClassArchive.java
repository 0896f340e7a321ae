package org.smarthost.app.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.smarthost.app.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's class-data-sharing archive (AppCDS): the classes a server loads, stored once so
 * that each "postfix start" maps them instead of reading, parsing and verifying them again. With
 * 100,000 queued messages on two cores that brings the first delivery after a start about 2 s
 * sooner (load-tests/PERFORMANCE.md).
 *
 * <p>The archive is written by a training run, not by the server: a server whose JVM recorded
 * its classes for an archive ({@code -XX:+RecordDynamicDumpInfo}) spent more CPU per relayed
 * message in four interleaved benchmark pairs (0.81-1.15 against 0.68-1.06 ms), and would write
 * the archive only at its stop. The first "postfix start" of a build runs a throwaway
 * server in a temporary directory with {@code -XX:ArchiveClassesAtExit}, gives it one message
 * (which its smtp client then fails to relay to a closed port) and stops it; that takes a few
 * seconds once. Java 17 has no {@code -XX:+AutoCreateSharedArchive} (Java 19).
 *
 * <p>An archive fits only the JVM and the exact jar files it was written with, so its name
 * carries a digest of both. It is kept beside the jars (one per build, shared by every
 * configuration run from it), or in {@code data_directory} when that directory is not writable.
 */
final class ClassArchive {

    private static final Logger log = LoggerFactory.getLogger("postfix/postfix-script");
    private static final String PREFIX = "master-";
    private static final String SUFFIX = ".jsa";
    /** The archive's own messages (classes it cannot store) are no concern of the server's output. */
    private static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";
    private static final long TRAINING_TIMEOUT_SECONDS = 120;

    private ClassArchive() {
    }

    /**
     * The JVM options that map the archive, after writing it when this build has none yet. None
     * when {@code userOptions} already say what the JVM does with shared classes, or when no
     * archive could be written.
     */
    static List<String> options(Path dataDirectory, String classPath, List<String> userOptions) {
        if (userOptions.stream().anyMatch(o -> o.startsWith("-Xshare") || o.contains("SharedArchiveFile")
                || o.contains("ArchiveClassesAtExit") || o.contains("DynamicDumpInfo"))) {
            return List.of();
        }
        Path dir = directory(dataDirectory);
        String name = PREFIX + digest(classPath) + SUFFIX;
        Path archive = dir.resolve(name);
        Path failed = dir.resolve(name + ".failed");
        if (!Files.isRegularFile(archive)) {
            if (Files.exists(failed)) return List.of();      // tried with this build before: no again
            deleteOthers(dir);
            if (!train(archive, classPath, userOptions)) {
                try {
                    Files.writeString(failed, "");
                } catch (IOException e) {
                    // then the next start tries once more
                }
                return List.of();
            }
        }
        return List.of("-XX:SharedArchiveFile=" + archive, QUIET);
    }

    /** Beside the jars when that is writable (a build's own directory), else data_directory. */
    private static Path directory(Path dataDirectory) {
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = jar.getParent().resolve("class-archive");
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) return dir;
        } catch (Exception e) {
            // classes from a directory, a read-only installation: data_directory then
        }
        return dataDirectory;
    }

    /** Identifies the JVM and every class path entry, by name, size and modification time. */
    static String digest(String classPath) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : List.of(System.getProperty("java.home"), System.getProperty("java.vm.version"))) {
                md.update((p + "\0").getBytes(StandardCharsets.UTF_8));
            }
            for (String entry : classPath.split(File.pathSeparator)) {
                File f = new File(entry);
                md.update((f.getAbsolutePath() + "\0" + f.length() + "\0" + f.lastModified() + "\0")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Archives of other builds or JVMs are of no further use, nor what a failed run left. */
    private static void deleteOthers(Path dir) {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX + "*")) {
            for (Path p : old) Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for the next start
        }
    }

    /** The training run; true once the archive is in place. */
    private static boolean train(Path archive, String classPath, List<String> userOptions) {
        Path work = null;
        Process server = null;
        try {
            work = Files.createTempDirectory("smarthost-class-archive");
            int port = freePort();
            Path etc = Files.createDirectories(work.resolve("etc"));
            Files.writeString(etc.resolve("main.cf"), String.join("\n",
                    "queue_directory = " + work.resolve("queue"),
                    "data_directory = " + work.resolve("data"),
                    "maillog_file = " + work.resolve("maillog"),
                    "myhostname = class-archive.localdomain",
                    "relayhost = [127.0.0.1]:" + freePort(),      // nobody listens: a refused connection
                    ""));
            Files.writeString(etc.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - - smtpd\n");
            Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid());
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.add("-XX:ArchiveClassesAtExit=" + partial);
            command.add(QUIET);
            command.addAll(userOptions);
            command.addAll(List.of("-cp", classPath, Main.class.getName(), "postfix", "-c", etc.toString(),
                    "start-fg"));
            server = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                    .redirectOutput(work.resolve("training.out").toFile()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRAINING_TIMEOUT_SECONDS);
            if (!sendOneMessage(port, server, deadline)) return false;
            Thread.sleep(1000);                  // the queue manager's delivery attempt
            server.destroy();                    // SIGTERM: a clean stop, then the JVM writes the archive
            if (!server.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L), TimeUnit.SECONDS)
                    || !(server.exitValue() == 0 || server.exitValue() == 128 + 15) // stopped by SIGTERM
                    || !Files.isRegularFile(partial)) {
                return false;
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.info("class archive written: {}", archive);
            return true;
        } catch (IOException e) {
            log.warn("warning: class archive not written: {}", e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (server != null && server.isAlive()) server.destroyForcibly();
            if (work != null) deleteTree(work);
        }
    }

    /** EHLO, MAIL, RCPT, DATA and QUIT once smtpd listens; false when it never did. */
    private static boolean sendOneMessage(int port, Process server, long deadline)
            throws IOException, InterruptedException {
        while (System.nanoTime() < deadline && server.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                reply(in);
                for (String line : List.of("EHLO class-archive.localdomain", "MAIL FROM:<training@localhost>",
                        "RCPT TO:<nobody@example.com>", "DATA", "Subject: class archive\r\n\r\ntraining\r\n.",
                        "QUIT")) {
                    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    reply(in);
                }
                return true;
            } catch (java.net.ConnectException e) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    /** Reads one reply, multi-line or not. */
    private static void reply(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            if (c != '\n') {
                line.append((char) c);
            } else if (line.length() > 3 && line.charAt(3) == '-') {
                line.setLength(0);
            } else {
                return;
            }
        }
        throw new IOException("smtpd closed the connection");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it eventually
        }
    }
}
