package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The durability contract seen from outside: Postfix's smtp-source sends mail, the server is
 * killed with SIGKILL in the middle, and after a restart every message that got a 250 is in
 * the queue exactly once, with its content.
 */
class CrashRecoveryIT {

    private static final Path SMTP_SOURCE = Path.of("/usr/sbin/smtp-source");
    private static final Pattern QUEUED = Pattern.compile("<<< 250 2\\.0\\.0 Ok: queued as (\\w+)");
    private static final Pattern LISTED = Pattern.compile("\"queue_id\": \"(\\w+)\"");

    Path temp;
    MailSystem mail;

    @BeforeEach
    void setUp() throws IOException {
        temp = Files.createTempDirectory("smarthost-crash");
        mail = new MailSystem(temp);
        // Deliveries must stay on this machine and must not empty the queue under the test:
        // everything is relayed to a loopback port where nothing listens, so it defers.
        Files.writeString(mail.configDir.resolve("main.cf"),
                "\nrelayhost = [127.0.0.1]:" + MailSystem.freePort() + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    @AfterEach
    void tearDown() throws Exception {
        mail.close();
        MailSystem.deleteTree(temp);
    }

    /** 2 KB bodies are stored in RocksDB, 100 KB ones in the body log: both must survive. */
    @ParameterizedTest(name = "{0}-byte messages")
    @ValueSource(ints = {2048, 102400})
    void everyMessageThatGot250SurvivesKill9ExactlyOnce(int size) throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SOURCE), "smtp-source (Debian package postfix) is not installed");
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
        long pid = Long.parseLong(Files.readString(mail.pidFile()).trim());

        Path log = temp.resolve("smtp-source.log");
        Process source = new ProcessBuilder(SMTP_SOURCE.toString(), "-v", "-s", "10", "-m", "100000", "-l", Integer.toString(size),
                "-f", "sender@example.org", "-t", "rcpt@example.net", "127.0.0.1:" + mail.port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // Kill while sessions are mid-transaction: once a few hundred messages are in.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (queuedIds(log).size() < 300 && System.nanoTime() < deadline && source.isAlive()) {
                Thread.sleep(50);
            }
            ProcessHandle master = ProcessHandle.of(pid).orElseThrow();
            master.destroyForcibly();
            master.onExit().get(30, TimeUnit.SECONDS);
            assertTrue(source.waitFor(60, TimeUnit.SECONDS), "smtp-source did not notice the crash");
        } finally {
            source.destroyForcibly();
        }
        List<String> accepted = queuedIds(log);
        assertTrue(accepted.size() >= 300, "smtp-source got only " + accepted.size() + " 250 replies");
        assertEquals(accepted.size(), new LinkedHashSet<>(accepted).size(), "a queue ID was handed out twice");

        try (Stream<Path> segments = Files.list(mail.root.resolve("state/queue/db/bodylog"))) {
            assertEquals(size >= 32 * 1024, segments.findAny().isPresent(), "where the bodies are");
        }

        MailSystem.Result restart = mail.run("postfix", "start");
        assertEquals(0, restart.exit(), restart.toString());
        MailSystem.Result listing = mail.run("postqueue", "-j");
        assertEquals(0, listing.exit(), listing.toString());

        Map<String, Integer> listed = new HashMap<>();
        Matcher m = LISTED.matcher(listing.out());
        while (m.find()) listed.merge(m.group(1), 1, Integer::sum);
        for (var e : listed.entrySet()) assertEquals(1, e.getValue(), "listed twice: " + e.getKey());
        Set<String> missing = new LinkedHashSet<>(accepted);
        missing.removeAll(listed.keySet());
        assertTrue(missing.isEmpty(), missing.size() + " accepted messages lost, e.g. " + missing.stream().limit(5).toList());

        // Content, not just an index entry: the first and the last acknowledged message's body is intact.
        for (String id : List.of(accepted.get(0), accepted.get(accepted.size() - 1))) {
            MailSystem.Result cat = mail.run("postcat", "-q", id);
            assertEquals(0, cat.exit(), cat.toString());
            assertTrue(cat.out().contains("*** MESSAGE CONTENTS"), cat.out());
            assertTrue(cat.out().contains("*** MESSAGE FILE END"), cat.out());
            assertTrue(cat.out().length() > size, id + ": " + cat.out().length() + " characters of postcat output");
        }

        assertEquals(0, mail.run("postfix", "stop").exit());
    }

    private static List<String> queuedIds(Path log) throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.exists(log)) return ids;
        Matcher m = QUEUED.matcher(Files.readString(log));
        while (m.find()) ids.add(m.group(1));
        return ids;
    }
}
