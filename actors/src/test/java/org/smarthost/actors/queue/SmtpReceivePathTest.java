package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.protocol.smtpd.SmtpServer;
import org.smarthost.protocol.smtpd.SmtpdSettings;

/**
 * The receive path with real clients: smtpd on a free loopback port in front of the queue,
 * driven by swaks and Python's smtplib (Debian packages swaks, python3).
 */
class SmtpReceivePathTest {

    Path dir;
    ActorSystem<Void> system;
    BodyStore bodies;
    QueueSystem queue;
    SmtpServer smtpd;
    int port;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("receive-path");
        system = ActorSystem.create(Behaviors.empty(), "receive", ConfigFactory.parseMap(Map.of(
                        "pekko.persistence.journal.plugin", "smarthost.journal.rocksdb",
                        "pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb",
                        "smarthost.store.dir", dir.toString()))
                .withFallback(ConfigFactory.load()));
        bodies = BodyStore.open(dir);
        queue = QueueSystem.start(system, QueueSettings.defaults("mx.example", dir), bodies,
                QueueIdGenerator.forThisProcess(), Clock.systemUTC());
        smtpd = SmtpServer.start(SmtpdSettings.defaults("mx.example"), queue.receiver(),
                new InetSocketAddress("127.0.0.1", 0), "smtp");
        port = smtpd.boundAddress().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        smtpd.shutdown(Duration.ZERO).toCompletableFuture().get(30, TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        bodies.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String run(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client did not finish");
        return out;
    }

    @Test
    void swaksMessageIsQueuedWithPostfixReceivedHeader() throws Exception {
        String out = run(List.of("swaks", "--server", "127.0.0.1:" + port, "--from", "alice@example.com",
                "--to", "bob@example.net", "--helo", "client.example", "--body", "hello world"), null);
        Matcher m = Pattern.compile("<- {2}250 2\\.0\\.0 Ok: queued as (\\w+)").matcher(out);
        assertTrue(m.find(), out);
        String id = m.group(1);
        List<IndexEntry> all = queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(List.of(id), all.stream().map(IndexEntry::queueId).toList());
        String body;
        try (InputStream in = bodies.open(id)) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(body.startsWith("Received: from client.example (localhost [127.0.0.1])\r\n"
                + "\tby mx.example (Postfix) with ESMTP id " + id + "\r\n\tfor <bob@example.net>; "), body);
        assertTrue(body.contains("\r\n\r\nhello world\r\n"), body);
        assertEquals(body.length(), all.get(0).size());
    }

    @Test
    void smtplibSeesTooManyHopsAndManyRecipientMessages() throws Exception {
        StringBuilder loop = new StringBuilder();
        for (int i = 0; i < 50; i++) loop.append("Received: from hop").append(i).append(" by relay").append("\\r\\n");
        String script = String.join("\n",
                "import smtplib, sys",
                "s = smtplib.SMTP('127.0.0.1', " + port + ")",
                "s.ehlo('py.example')",
                "try:",
                "    s.sendmail('loop@example.com', ['x@example.net'], b'" + loop + "Subject: loop\\r\\n\\r\\nbody\\r\\n')",
                "except smtplib.SMTPDataError as e:",
                "    print('DATA', e.smtp_code, e.smtp_error.decode())",
                "r = s.sendmail('multi@example.com', ['r%d@example.net' % i for i in range(5)], b'Subject: m\\r\\n\\r\\nm\\r\\n')",
                "print('REFUSED', r)",
                "s.quit()");
        String out = run(List.of("/usr/bin/python3", "-c", script), null);
        assertTrue(out.contains("DATA 554 5.4.0 Error: too many hops"), out);
        assertTrue(out.contains("REFUSED {}"), out);
        List<IndexEntry> all = queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(1, all.size(), "only the good message is queued");
        assertEquals(5, all.get(0).recipients().length);
        assertEquals("multi@example.com", all.get(0).sender());
        List<String> ids = new ArrayList<>(bodies.queueIds());
        assertEquals(List.of(all.get(0).queueId()), ids, "the rejected body was removed");
    }
}
