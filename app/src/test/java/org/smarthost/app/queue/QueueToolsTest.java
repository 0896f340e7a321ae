package org.smarthost.app.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.actors.queue.QueueSettings;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.app.control.ControlCommand;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.Transaction;

/** The queue tools against a real queue: RocksDB journal and body store in a temp directory. */
class QueueToolsTest {

    Path dir;
    QueueSettings settings;
    ActorSystem<Void> system;
    QueueRuntime runtime;
    Map<String, ControlCommand> commands;

    record Result(int rc, String out, String err) { }

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("queue-tools");
        QueueSettings d = QueueSettings.defaults("mx.example", dir);
        settings = new QueueSettings(d.myhostname(), d.mailName(), d.hopcountLimit(), d.headerSizeLimit(),
                d.messageSizeLimit(), d.alwaysAddMissingHeaders(), d.localHeaderRewriteClients(), d.mynetworks(),
                d.minimalBackoffTime(), d.maximalBackoffTime(), d.maximalQueueLifetime(), d.bounceQueueLifetime(),
                d.queueRunDelay(), dir, dir.resolve("db"), d.readJournalPluginId(), d.messageIdleTimeout(),
                ZoneId.of("UTC"), List.of("deferred", "defer", "active"), 2);
        system = ActorSystem.create(Behaviors.empty(), "tools", QueueRuntime.offlineConfig(settings));
        runtime = QueueRuntime.start(system, settings);
        commands = runtime.controlCommands();
    }

    @AfterEach
    void stop() throws Exception {
        if (system != null) terminate();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    void terminate() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        runtime.closeBodies();
        system = null;
    }

    Result run(String command, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            rc = commands.get(command).run(List.of(args), o, e);
        }
        return new Result(rc, out.toString(), err.toString());
    }

    String send(String sender, List<RcptTo> rcpts, String content) throws Exception {
        return send("127.0.0.1", sender, rcpts, content);
    }

    String send(String clientAddress, String sender, List<RcptTo> rcpts, String content) throws Exception {
        SessionInfo session = new SessionInfo("localhost", new InetSocketAddress(clientAddress, 58136), "helo.example",
                "ESMTP", null, "smtp", new InetSocketAddress("127.0.0.1", 25));
        Transaction t = runtime.receiver().open(session, new MailFrom(sender, -1, null, "HDRS", "abc123", false));
        rcpts.forEach(t::addRecipient);
        t.write(Unpooled.copiedBuffer(content, StandardCharsets.UTF_8));
        assertEquals(250, t.commit().toCompletableFuture().get(30, TimeUnit.SECONDS).code());
        return t.queueId();
    }

    /** A client outside local_header_rewrite_clients (permit_inet_interfaces): rewrite_context=remote. */
    @Test
    void postcatShowsTheRemoteRewriteContext() throws Exception {
        String id = send("192.0.2.9", "a@example.com", List.of(rcpt("x@example.net")), "Subject: a\r\n\r\na\r\n");
        Result r = run("postcat", "-q", id);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("\nnamed_attribute: log_ident=" + id + "\nnamed_attribute: rewrite_context=remote\n"),
                r.out());
        assertTrue(r.out().contains("\nnamed_attribute: client_address=192.0.2.9\n"), r.out());
    }

    /**
     * This test's hash_queue_names includes active, at depth 2: two levels from the long queue
     * ID's microseconds in hex, as Postfix's mail_queue_path().
     */
    static String activePath(String id) {
        String hex = String.format(java.util.Locale.ROOT, "%05X", QueueIdGenerator.timeOf(id).getNano() / 1000);
        return "active/" + hex.charAt(0) + "/" + hex.charAt(1) + "/" + id;
    }

    static RcptTo rcpt(String a) {
        return new RcptTo(a, Set.of(), null);
    }

    @Test
    void postqueueListsActiveMailAndJson() throws Exception {
        assertEquals(new Result(0, "Mail queue is empty\n", ""), run("postqueue", "-p"));
        String id = send("sender@example.com", List.of(rcpt("r1@example.net"), rcpt("r2@example.org")),
                "Subject: bare\r\n\r\nbody line\r\n");
        Result p = run("mailq");
        assertEquals(0, p.rc());
        String[] lines = p.out().split("\n");
        assertEquals(Showq.HEADING, lines[0]);
        assertTrue(lines[1].startsWith(id + "*"), lines[1]);
        assertTrue(lines[1].endsWith(" sender@example.com"), lines[1]);
        assertEquals(" ".repeat(47) + "r1@example.net", lines[2]);
        assertEquals(" ".repeat(47) + "r2@example.org", lines[3]);
        assertEquals("-- 0 Kbytes in 1 Request.", lines[5]);

        JsonNode j = new ObjectMapper().readTree(run("postqueue", "-j").out());
        assertEquals("active", j.get("queue_name").asText());
        assertEquals(id, j.get("queue_id").asText());
        assertEquals(2, j.get("recipients").size());

        Result bad = run("postqueue", "-p", "-j");
        assertEquals(1, bad.rc());
        assertTrue(bad.err().startsWith("postqueue: fatal: usage: "), bad.err());
    }

    @Test
    void postsuperHoldReleaseRequeueDeleteWithPostfixMessages() throws Exception {
        String a = send("a@example.com", List.of(rcpt("x@example.net")), "Subject: a\r\n\r\na\r\n");
        String b = send("b@example.com", List.of(rcpt("y@example.net")), "Subject: b\r\n\r\nb\r\n");

        assertEquals(new Result(0, "", "postsuper: " + a + ": placed on hold\npostsuper: Placed on hold: 1 message\n"),
                run("postsuper", "-h", a));
        assertTrue(run("postqueue", "-p").out().contains(a + "!"));
        assertEquals(new Result(0, "", "postsuper: Placed on hold: 0 messages\n"), run("postsuper", "-h", a));
        assertEquals(new Result(0, "", "postsuper: Released from hold: 1 message\n"), run("postsuper", "-H", "ALL"));
        assertEquals(new Result(0, "", "postsuper: Requeued: 2 messages\n"), run("postsuper", "-r", "ALL"));
        assertEquals(new Result(0, "", "postsuper: Deleted: 0 messages\n"), run("postsuper", "-d", "ALL", "hold"));
        assertEquals(new Result(0, "", "postsuper: warning: invalid mail queue id: bogus!\npostsuper: Deleted: 0 messages\n"),
                run("postsuper", "-d", "bogus!"));
        assertEquals(new Result(0, "", "postsuper: " + a + ": expired\npostsuper: Force-expired: 1 message\n"
                + "postsuper: Released from hold: 0 messages\n"), run("postsuper", "-f", a));
        assertTrue(run("postqueue", "-p").out().contains(a + "*"), "active wins over forced expiry");

        Result x = run("postsuper", "-x");
        assertEquals(1, x.rc());
        assertEquals("postsuper: invalid option -- 'x'\npostsuper: fatal: usage: " + PostsuperTool.USAGE + "\n", x.err());
        assertEquals(new Result(1, "", "postsuper: fatal: invalid directory name: bogusq\n"),
                run("postsuper", "-d", "ALL", "bogusq"));

        assertEquals(new Result(0, "", "postsuper: " + b + ": removed\npostsuper: Deleted: 1 message\n"),
                run("postsuper", "-d", b));
        assertFalse(runtime.queue().bodies().exists(b), "body removed with the message");
        assertEquals(new Result(1, "", "postcat: fatal: open queue file " + b + ": No such file or directory\n"),
                run("postcat", "-q", b));
        Result all = run("postqueue", "-p");
        assertTrue(all.out().contains(a) && !all.out().contains(b), all.out());
    }

    @Test
    void postcatPrintsEnvelopeContentsAndSections() throws Exception {
        String id = send("sender@example.com", List.of(new RcptTo("r1@example.net", Set.of("SUCCESS", "FAILURE"),
                "rfc822;orig@example.net")), "Subject: bare\r\n\r\nbody line\r\n");
        Result r = run("postcat", "-q", id);
        assertEquals(0, r.rc(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("*** ENVELOPE RECORDS " + activePath(id) + " ***", lines[0]);
        assertTrue(lines[1].matches("message_size: +\\d+ +0 +1 +0 +\\d+ +0"), lines[1]);
        assertTrue(lines[2].startsWith("message_arrival_time: "), lines[2]);
        assertTrue(r.out().contains("\nnamed_attribute: log_ident=" + id + "\nnamed_attribute: rewrite_context=local\n"
                + "named_attribute: envelope_id=abc123\n"
                + "named_attribute: ret_flags=2\nsender: sender@example.com\n"), r.out());
        assertTrue(r.out().contains("named_attribute: log_message_origin=localhost[127.0.0.1]\n"));
        // Postfix 3.7's order: the client's port, then the server's end of the connection
        assertTrue(r.out().contains("\nnamed_attribute: client_port=58136\nnamed_attribute: server_address=127.0.0.1\n"
                + "named_attribute: server_port=25\nnamed_attribute: helo_name=helo.example\n"), r.out());
        assertTrue(r.out().contains("\nnamed_attribute: notify_flags=6\nnamed_attribute: dsn_orig_rcpt=rfc822;orig@example.net\n"
                + "original_recipient: r1@example.net\nrecipient: r1@example.net\n*** MESSAGE CONTENTS " + activePath(id)
                + " ***\nReceived: from helo.example (localhost [127.0.0.1])\n\tby mx.example (Postfix) with ESMTP id "
                + id + "\n\tfor <r1@example.net>; "), r.out());
        assertTrue(r.out().endsWith("\nSubject: bare\nMessage-Id: <" + id + "@mx.example>\n"
                + "Date: " + r.out().split("\nDate: ")[1].split("\n")[0] + "\nFrom: sender@example.com\n\nbody line\n"
                + "*** HEADER EXTRACTED " + activePath(id) + " ***\n*** MESSAGE FILE END " + activePath(id) + " ***\n"), r.out());

        Result headers = run("postcat", "-hq", id);
        assertTrue(headers.out().startsWith("Received: ") && headers.out().endsWith("From: sender@example.com\n"),
                headers.out());
        assertEquals(new Result(0, "\nbody line\n", ""), run("postcat", "-bq", id));
        Result env = run("postcat", "-eq", id);
        assertTrue(env.out().endsWith("recipient: r1@example.net\n*** MESSAGE CONTENTS " + activePath(id) + " ***\n"
                + "*** HEADER EXTRACTED " + activePath(id) + " ***\n*** MESSAGE FILE END " + activePath(id) + " ***\n"), env.out());
        assertEquals(1, run("postcat", "-q", "4jZR1g3yV8zJ9XX").rc());
    }

    @Test
    void historyShowsEveryEventInOrder() throws Exception {
        String id = send("a@example.com", List.of(rcpt("x@example.net")), "Subject: a\r\n\r\na\r\n");
        run("postsuper", "-h", id);
        run("postsuper", "-H", id);
        Result text = run("history", id);
        assertEquals(0, text.rc(), text.err());
        String[] lines = text.out().split("\n");
        assertEquals(3, lines.length, text.out());
        assertTrue(lines[0].matches("   1 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\+0000 MessageReceived .*"), lines[0]);
        assertTrue(lines[0].contains(" sender=a@example.com "), lines[0]);
        assertTrue(lines[1].contains(" MessageHeld"), lines[1]);
        assertTrue(lines[2].contains(" MessageReleased"), lines[2]);

        Result json = run("history", "--json", id);
        String[] js = json.out().split("\n");
        ObjectMapper m = new ObjectMapper();
        JsonNode first = m.readTree(js[0]);
        assertEquals(1, first.get("sequence_nr").asInt());
        assertEquals("MessageReceived", first.get("event").asText());
        assertEquals("x@example.net", first.get("data").get("recipients").get(0).get("address").asText());
        assertEquals("MessageReleased", m.readTree(js[2]).get("event").asText());

        assertEquals(new Result(1, "", "smarthost: fatal: no history for queue id 4jZR1g3yV8zJ9XX\n"),
                run("history", "4jZR1g3yV8zJ9XX"));
    }

    /** Runs a tool as the CLI does: offline runs open and close the database in this JVM. */
    Result cli(String program, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = QueueRuntime.runTool(program, List.of(args), settings, new PrintStream(out, true),
                new PrintStream(err, true));
        return new Result(rc, out.toString(), err.toString());
    }

    @Test
    void toolsWorkOfflineWhenTheServerIsDown() throws Exception {
        String id = send("a@example.com", List.of(rcpt("x@example.net")), "Subject: a\r\n\r\na\r\n");
        terminate();
        Result p = cli("postqueue", "-p");
        assertEquals(0, p.rc(), p.err());
        assertEquals("postqueue: warning: Mail system is down -- accessing queue directly\n", p.err());
        assertTrue(p.out().contains(id + "*"), p.out());

        assertEquals(new Result(0, "", "postsuper: " + id + ": removed\npostsuper: Deleted: 1 message\n"),
                cli("postsuper", "-d", id));
        assertEquals(new Result(0, "Mail queue is empty\n",
                "postqueue: warning: Mail system is down -- accessing queue directly\n"), cli("mailq"));
    }
}
