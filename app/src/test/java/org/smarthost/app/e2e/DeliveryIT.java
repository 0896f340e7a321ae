package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.smarthost.protocol.client.DovecotLmtp;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Delivery end to end with real peers: the server started by bin/postfix relays to Postfix's
 * smtp-sink (relayhost), returns bounces to the sender through a second smtp-sink (the
 * sender's domain is a relay domain routed there), and delivers local domains over LMTP to a
 * private Dovecot. One server for the class; each test changes only what the peers do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryIT {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    Path temp;
    MailSystem mail;
    Sink relay;
    Sink senders;
    DovecotLmtp dovecot;

    /** Postfix's smtp-sink dumping every message into a directory. */
    static final class Sink implements AutoCloseable {
        final int port;
        final Path dumps;
        private Process process;

        Sink(Path dumps) throws IOException {
            this.port = MailSystem.freePort();
            this.dumps = Files.createDirectories(dumps);
            Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        }

        /** (Re)starts the sink; {@code options} such as "-r", "rcpt" (soft) or "-f", "rcpt" (hard reject). */
        void start(String... options) throws Exception {
            close();
            List<String> cmd = new ArrayList<>(List.of(SMTP_SINK.toString()));
            if (ROOT) cmd.addAll(List.of("-u", "nobody"));
            cmd.addAll(List.of(options));
            cmd.addAll(List.of("-d", dumps + "/%M.", "127.0.0.1:" + port, "100"));
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            await("smtp-sink listens on " + port, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        }

        List<String> messages() throws IOException {
            List<String> out = new ArrayList<>();
            try (Stream<Path> files = Files.list(dumps)) {
                for (Path p : files.sorted().toList()) out.add(Files.readString(p));
            }
            return out;
        }

        /** Messages containing {@code text}; 0 while the sink's files cannot be read yet (for polling). */
        long count(String text) {
            try {
                return messages().stream().filter(m -> m.contains(text)).count();
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public void close() throws Exception {
            if (process != null) {
                process.destroy();
                process.waitFor();
                process = null;
            }
        }
    }

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SINK), "smtp-sink is not installed (apt-get install postfix)");
        temp = MailSystem.newRoot("smarthost-delivery");
        mail = new MailSystem(temp);
        relay = new Sink(temp.resolve("relay-sink"));
        senders = new Sink(temp.resolve("sender-sink"));
        relay.start();
        senders.start();
        String lmtp = "";
        if (Files.isExecutable(DovecotLmtp.BINARY)) {
            dovecot = DovecotLmtp.start(Files.createDirectories(temp.resolve("dovecot")));
            lmtp = "mydestination = example.test\nlocal_transport = lmtp:inet:127.0.0.1:" + dovecot.port + "\n";
        }
        Files.writeString(mail.configDir.resolve("main.cf"), String.join("\n",
                "relayhost = [127.0.0.1]:" + relay.port,
                "relay_domains = client.example",
                "relay_transport = relay:[127.0.0.1]:" + senders.port,
                "queue_run_delay = 1s",
                "minimal_backoff_time = 2s",
                "maximal_backoff_time = 4s",
                lmtp), java.nio.file.StandardOpenOption.APPEND);
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
    }

    @AfterAll
    void tearDown() throws Exception {
        if (mail != null) mail.close();
        for (AutoCloseable c : new AutoCloseable[] {relay, senders, dovecot}) {
            if (c != null) c.close();
        }
        MailSystem.deleteTree(temp);
    }

    @Test
    @Order(1)
    void relayedToTheRelayhost() throws Exception {
        String id = send("alice@client.example", List.of("bob@remote.example"), "first delivery");
        await("message at the sink", () -> relay.count("Subject: first delivery") == 1);
        await("message removed", () -> mail.maillogText().contains(id + ": removed"));
        assertTrue(relay.messages().stream().anyMatch(m -> m.contains("X-Rcpt-Args: <bob@remote.example>")
                && m.contains("Subject: first delivery")));
        Pattern sent = Pattern.compile("postfix/smtp\\[\\d+\\]: " + id + ": to=<bob@remote\\.example>, relay=127\\.0\\.0\\.1"
                + "\\[127\\.0\\.0\\.1\\]:" + relay.port + ", delay=[\\d.]+, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, "
                + "dsn=2\\.0\\.0, status=sent \\(250 .*\\)");
        String log = mail.maillogText();
        java.util.regex.Matcher status = sent.matcher(log);
        assertTrue(status.find(), log);
        // Postfix's order: the agent's status line, then qmgr's "removed"
        assertTrue(status.start() < log.indexOf(id + ": removed"), "removed before the status line:\n" + log);
        String history = history(id);
        assertTrue(history.contains("DeliveryAttempted destination=smtp:[127.0.0.1]:" + relay.port + " attempt=1"), history);
        assertTrue(history.contains("\"outcome\":\"DELIVERED\""), history);
        assertTrue(history.contains("MessageCompleted"), history);
        MailSystem.Result q = mail.run("postqueue", "-p");
        assertEquals("Mail queue is empty\n", q.out(), q.toString());
    }

    @Test
    @Order(2)
    void deferredThenDeliveredAfterFlush() throws Exception {
        relay.start("-r", "rcpt");
        String id = send("alice@client.example", List.of("carl@remote.example"), "soft rejected");
        // two attempts, the second after minimal_backoff_time
        await("two deferrals", () -> countMatches(id + ": to=<carl@remote.example>.*status=deferred") >= 2);
        MailSystem.Result q = mail.run("postqueue", "-p");
        assertTrue(q.out().contains(id) && q.out().contains("450 4.3.0"), q.toString());

        relay.start();
        MailSystem.Result flush = mail.run("postqueue", "-f");
        assertEquals(0, flush.exit(), flush.toString());
        await("delivered after flush", () -> relay.count("Subject: soft rejected") == 1);
        await("removed", () -> mail.maillogText().contains(id + ": removed"));

        String history = history(id);
        List<Long> deferredAt = new ArrayList<>();
        Matcher m = Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.\\d+ \\+0000 DeliveryAttempted .*\"DEFERRED\"").matcher(history);
        while (m.find()) {
            deferredAt.add(Long.parseLong(m.group(1)) * 3600 + Long.parseLong(m.group(2)) * 60 + Long.parseLong(m.group(3)));
        }
        assertTrue(deferredAt.size() >= 2, history);
        // the backoff between attempts: at least minimal_backoff_time (2s)
        assertTrue(deferredAt.get(1) - deferredAt.get(0) >= 2, history);
        assertTrue(history.contains("MessageRequeued"), history);
        assertTrue(history.contains("\"outcome\":\"DELIVERED\""), history);
    }

    @Test
    @Order(3)
    void hardRejectBouncesWithADsnToTheSender() throws Exception {
        relay.start("-f", "rcpt");
        String id = send("alice@client.example", List.of("dave@remote.example"), "hard rejected");
        await("bounce at the sender's sink", () -> senders.count(id) >= 1);
        String dsn = senders.messages().stream().filter(x -> x.contains(id)).findFirst().orElseThrow();
        assertTrue(dsn.contains("X-Mail-Args: <>"), "null envelope sender: " + dsn);
        assertTrue(dsn.contains("X-Rcpt-Args: <alice@client.example>"), dsn);
        assertTrue(dsn.contains("Subject: Undelivered Mail Returned to Sender"), dsn);
        assertTrue(dsn.contains("Content-Type: multipart/report; report-type=delivery-status;"), dsn);
        assertTrue(dsn.contains("Content-Type: message/delivery-status"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; dave@remote.example"), dsn);
        assertTrue(dsn.contains("Action: failed"), dsn);
        assertTrue(dsn.contains("Status: 5.3.0"), dsn);
        assertTrue(dsn.contains("Diagnostic-Code: smtp; 500 5.3.0"), dsn);
        assertTrue(dsn.contains("Content-Type: message/rfc822"), dsn);
        assertTrue(dsn.contains("Subject: hard rejected"), "the original is returned: " + dsn);
        String log = mail.maillogText();
        assertTrue(Pattern.compile(id + ": to=<dave@remote\\.example>, .*dsn=5\\.3\\.0, status=bounced \\(host 127\\.0\\.0\\.1"
                + "\\[127\\.0\\.0\\.1\\] said: 500 5\\.3\\.0 .*\\(in reply to RCPT TO command\\)\\)").matcher(log).find(), log);
        Matcher notice = Pattern.compile("postfix/bounce\\[\\d+\\]: " + id + ": sender non-delivery notification: (\\w+)")
                .matcher(log);
        assertTrue(notice.find(), log);
        String bounceId = notice.group(1);
        await("bounce removed", () -> mail.maillogText().contains(bounceId + ": removed"));
        assertTrue(mail.maillogText().contains("postfix/relay/smtp"), "relay transport logs under its syslog_name");
        assertTrue(history(id).contains("BounceQueued"), history(id));
        relay.start();
    }

    @Test
    @Order(4)
    void lmtpOutcomesPerRecipientInOneEvent() throws Exception {
        assumeTrue(dovecot != null, "dovecot is not installed (apt-get install dovecot-core dovecot-lmtpd)");
        String id = send("alice@client.example",
                List.of("alice@example.test", "bob@example.test", "carol@example.test"), "over lmtp");
        await("lmtp attempt logged", () -> countMatches("postfix/lmtp\\[\\d+\\]: " + id + ": to=<bob@example\\.test>") >= 1);
        await("bounce for carol", () -> senders.count("Final-Recipient: rfc822; carol@example.test") >= 1);
        String history = history(id);
        Matcher first = Pattern.compile("DeliveryAttempted destination=lmtp:inet:127\\.0\\.0\\.1:" + dovecot.port
                + " attempt=1 outcomes=(.*)").matcher(history);
        assertTrue(first.find(), history);
        String outcomes = first.group(1);
        assertTrue(outcomes.contains("{\"address\":\"alice@example.test\",\"outcome\":\"DELIVERED\""), outcomes);
        assertTrue(outcomes.contains("{\"address\":\"bob@example.test\",\"outcome\":\"DEFERRED\",\"dsnStatus\":\"4.2.2\""), outcomes);
        assertTrue(outcomes.contains("{\"address\":\"carol@example.test\",\"outcome\":\"BOUNCED\",\"dsnStatus\":\"5.1.1\""), outcomes);
        assertTrue(dovecot.newMail("alice").stream().anyMatch(p -> {
            try {
                return Files.readString(p).contains("Subject: over lmtp");
            } catch (IOException e) {
                return false;
            }
        }));
        // bob stays in the queue, deferred; only he is retried
        MailSystem.Result q = mail.run("postqueue", "-p");
        assertTrue(q.out().contains(id) && q.out().contains("bob@example.test") && !q.out().contains("carol@example.test"),
                q.toString());
        mail.run("postsuper", "-d", id);
    }

    @Test
    @Order(5)
    void restartInTheMiddleOfABacklogLosesNothing() throws Exception {
        relay.close();
        int n = 20;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(send("alice@client.example", List.of("erin@remote.example"), "backlog " + i + "."));
        await("first attempts", () -> countMatches("to=<erin@remote\\.example>.*status=deferred") >= 1);
        long pid = Long.parseLong(Files.readString(mail.pidFile()).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await("server killed", () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        relay.start();
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
        mail.run("postqueue", "-f");
        await("all " + n + " delivered", () -> {
            for (int i = 0; i < n; i++) if (relay.count("Subject: backlog " + i + ".") < 1) return false;
            return true;
        });
        await("queue empty", () -> {
            try {
                return mail.run("postqueue", "-p").out().equals("Mail queue is empty\n");
            } catch (Exception e) {
                return false;
            }
        });
        for (String id : ids) assertTrue(history(id).contains("MessageCompleted"), history(id));
    }

    @Test
    @Order(6)
    void relayhostChangedByPostconfTakesEffectOnReload() throws Exception {
        MailSystem.Result edit = mail.run("postconf", "-e", "relayhost = [127.0.0.1]:" + senders.port);
        assertEquals(0, edit.exit(), edit.toString());
        MailSystem.Result reload = mail.run("postfix", "reload");
        assertEquals(0, reload.exit(), reload.toString());
        String id = send("alice@client.example", List.of("fred@remote.example"), "after reload");
        await("delivered to the new relayhost", () -> senders.count("Subject: after reload") == 1);
        assertEquals(0, relay.count("Subject: after reload"));
        assertTrue(Pattern.compile(id + ": to=<fred@remote\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:"
                + senders.port + ",.*status=sent").matcher(mail.maillogText()).find(), mail.maillogText());
    }

    @Test
    @Order(7)
    void bodiesOnBothSidesOfTheHeldSizeArriveWhole() throws Exception {
        // smtpd holds up to 256 KiB of a message in memory (in 64 KiB body chunks) and streams anything longer
        for (int size : new int[] {0, 32_000, 140_000, 250_000, 270_000, 600_000}) {
            String subject = "size " + size;
            StringBuilder text = new StringBuilder();
            for (int i = 0; text.length() < size; i++) {
                text.append(i % 7 == 0 ? "." : "").append("line ").append(i).append(" of ").append(subject).append("\r\n");
            }
            String id = send("alice@client.example", List.of("gina@remote.example"), subject, text.toString());
            // removed = the sink answered 250 after the final dot; the dump appears as it is written
            await("delivered: " + subject, () -> mail.maillogText().contains(id + ": removed"));
            String got = senders.messages().stream().filter(m -> m.contains("Subject: " + subject + "\r")
                    || m.contains("Subject: " + subject + "\n")).findFirst().orElseThrow().replace("\r\n", "\n");
            String want = text.toString().replace("\r\n", "\n");
            // smtp-sink's dump adds a line end of its own after the content
            assertTrue(got.contains("\n\n" + want), subject + ": body changed on the way");
        }
    }

    /**
     * bounce(8)'s rules for notices that fail: a bounce (null sender) is dropped without a word
     * when notify_classes has neither bounce nor 2bounce (the default), and a postmaster notice
     * (sender double_bounce_sender@$myhostname) is dropped with a warning; neither is bounced.
     */
    @Test
    @Order(8)
    void failedNoticesAreNeverBouncedAgain() throws Exception {
        // both sinks, whichever is the relayhost by now (relayhostChangedByPostconf... moved it)
        relay.start("-f", "rcpt");
        senders.start("-f", "rcpt");
        try {
            String bounce = send("", List.of("gone@remote.example"), "a bounce that bounces");
            await("bounce removed", () -> mail.maillogText().contains(bounce + ": removed"));
            String hostname = mail.run("postconf", "-h", "myhostname").out().trim();
            String notice = send("double-bounce@" + hostname, List.of("gone@remote.example"), "a notice that bounces");
            await("notice removed", () -> mail.maillogText().contains(notice + ": removed"));
            String log = mail.maillogText();
            assertTrue(Pattern.compile(bounce + ": to=<gone@remote\\.example>, .*status=bounced").matcher(log).find(), log);
            assertFalse(Pattern.compile("postfix/bounce\\[\\d+\\]: (warning: )?" + bounce + ":").matcher(log).find(),
                    "bounce(8) says nothing of a dropped bounce:\n" + log);
            assertTrue(Pattern.compile(notice + ": to=<gone@remote\\.example>, .*status=bounced").matcher(log).find(), log);
            assertTrue(Pattern.compile("postfix/bounce\\[\\d+\\]: warning: " + notice
                    + ": undeliverable postmaster notification discarded").matcher(log).find(), log);
            assertFalse(log.contains(notice + ": sender non-delivery notification"), log);
        } finally {
            relay.start();
            senders.start();
        }
    }

    /**
     * Limits changed by postconf apply after a reload: smtpd's message_size_limit (its service is
     * replaced) and cleanup's hopcount_limit, as Postfix's cleanup processes start anew with it.
     */
    @Test
    @Order(9)
    void cleanupLimitsChangedByPostconfTakeEffectOnReload() throws Exception {
        String body = "0123456789".repeat(7) + "\r\n";
        body = body.repeat(6_000 / body.length() + 1);
        String hops = "Received: from a.example by b.example; Thu, 26 Nov 2026 10:00:00 +0000\r\n".repeat(4);
        try {
            assertEquals(0, mail.run("postconf", "-e", "message_size_limit = 4000", "hopcount_limit = 3").exit());
            MailSystem.Result reload = mail.run("postfix", "reload");
            assertEquals(0, reload.exit(), reload.toString());
            try (SmtpClient smtp = new SmtpClient(mail.port)) {
                smtp.command("EHLO client.example");
                assertTrue(smtp.command("MAIL FROM:<alice@client.example> SIZE=6000")
                        .startsWith("552 5.3.4 Message size exceeds fixed limit"), "smtpd's SIZE check");
                assertEquals("552 5.3.4 Error: message file too big",
                        data(smtp, "Subject: too big after reload\r\n\r\n" + body));
                assertEquals("554 5.4.0 Error: too many hops",
                        data(smtp, hops + "Subject: four hops after reload\r\n\r\nhello\r\n"));
            }
        } finally {
            assertEquals(0, mail.run("postconf", "-e", "message_size_limit = 10240000", "hopcount_limit = 50").exit());
            assertEquals(0, mail.run("postfix", "reload").exit());
        }
        String id = send("alice@client.example", List.of("hank@remote.example"), "big enough again", body);
        await("delivered after the second reload", () -> mail.maillogText().contains(id + ": removed"));
    }

    /**
     * transport_maps from a file built with postmap, the way a Postfix administrator routes a
     * domain: before postmap has run the table is missing and the mail waits in the queue (never
     * sent the default way); postmap alone, with no reload, lets the next queue run deliver it.
     * relocated_maps bounces a recipient that has moved.
     */
    @Test
    @Order(10)
    void transportMapsBuiltWithPostmapRouteMailAndRelocatedMapsBounceIt() throws Exception {
        Path transport = temp.resolve("transport");
        Files.writeString(transport, "# routes\nrouted.example   smtp:[127.0.0.1]:" + relay.port + "\n");
        try {
            assertEquals(0, mail.run("postconf", "-e", "transport_maps = hash:" + transport,
                    "relocated_maps = inline:{ivan@remote.example=ivan@new.example}").exit());
            MailSystem.Result reload = mail.run("postfix", "reload");
            assertEquals(0, reload.exit(), reload.toString());
            String early = send("alice@client.example", List.of("judy@routed.example"), "before postmap");
            Pattern deferred = Pattern.compile(early + ": to=<judy@routed\\.example>, relay=none, .*status=deferred "
                    + "\\(address resolver failure\\)");
            await("deferred while the table is missing", () -> deferred.matcher(mail.maillogText()).find());
            String log = mail.maillogText();
            assertTrue(log.contains("postfix/trivial-rewrite[") && log.contains("warning: hash:" + transport
                    + " is unavailable. open database " + transport + ".db: No such file or directory"), log);
            assertTrue(log.contains("warning: transport_maps lookup failure"), log);
            assertEquals(0, senders.count("Subject: before postmap"), "never sent to the relayhost instead");

            MailSystem.Result postmap = mail.run("postmap", transport.toString());
            assertEquals(0, postmap.exit(), postmap.toString());
            assertEquals(0, mail.run("postqueue", "-f").exit());
            await("delivered by the table's route", () -> relay.count("Subject: before postmap") == 1);
            assertEquals(0, senders.count("Subject: before postmap"));
            String other = send("alice@client.example", List.of("kate@elsewhere.example"), "not in the table");
            await("the rest still goes to the relayhost", () -> senders.count("Subject: not in the table") == 1);
            assertTrue(mail.maillogText().contains(other + ": removed"));

            String moved = send("alice@client.example", List.of("ivan@remote.example"), "to a relocated user");
            Pattern bounced = Pattern.compile(moved + ": to=<ivan@remote\\.example>, relay=none, .*dsn=5\\.1\\.6, "
                    + "status=bounced \\(User has moved to ivan@new\\.example\\)");
            await("bounced as moved", () -> bounced.matcher(mail.maillogText()).find());
        } finally {
            assertEquals(0, mail.run("postconf", "-e", "transport_maps =", "relocated_maps =").exit());
            assertEquals(0, mail.run("postfix", "reload").exit());
        }
    }

    /**
     * header_checks and body_checks (header_checks(5)) from regexp: and pcre: tables: REJECT
     * answers 550 at the end of DATA with Postfix's log line, IGNORE removes the header before
     * it reaches the relayhost, HOLD puts the message in the hold queue, and a table that is
     * missing defers the mail with 451 instead of letting it through unchecked.
     */
    @Test
    @Order(11)
    void headerAndBodyChecksRejectIgnoreAndHold() throws Exception {
        Path headerChecks = temp.resolve("header_checks");
        Files.writeString(headerChecks, String.join("\n",
                "# header_checks(5)",
                "/^Subject: .*cheap pills/ REJECT",
                "/^X-Internal-Secret:/ IGNORE",
                "/^Subject: hold me/ HOLD waiting for review",
                ""));
        Path bodyChecks = temp.resolve("body_checks");
        Files.writeString(bodyChecks, "/^click here to (\\w+)/ REJECT 5.7.0 no $1 links\n");
        try {
            assertEquals(0, mail.run("postconf", "-e", "header_checks = regexp:" + headerChecks,
                    "body_checks = pcre:" + bodyChecks).exit());
            MailSystem.Result reload = mail.run("postfix", "reload");
            assertEquals(0, reload.exit(), reload.toString());
            try (SmtpClient smtp = new SmtpClient(mail.port)) {
                smtp.command("EHLO client.example");
                assertEquals("550 5.7.1 message content rejected",
                        data(smtp, "Subject: cheap pills\r\n\r\nhello\r\n"));
                assertEquals("550 5.7.0 no unsubscribe links",
                        data(smtp, "Subject: news\r\n\r\nhello\r\nclick here to unsubscribe\r\n"));
                assertEquals("250", data(smtp, "Subject: checked and relayed\r\nX-Internal-Secret: s3cret\r\n"
                        + "X-Kept: yes\r\n\r\nhello\r\n").substring(0, 3));
            }
            Pattern reject = Pattern.compile("postfix/cleanup\\[\\d+\\]: \\w+: reject: header Subject: cheap pills"
                    + " from [^;\\s]*\\[127\\.0\\.0\\.1\\]; from=<alice@client\\.example> to=<hank@remote\\.example>"
                    + " proto=ESMTP helo=<client\\.example>: 5\\.7\\.1 message content rejected");
            await("cleanup's reject line", () -> reject.matcher(mail.maillogText()).find());
            await("cleanup's body reject line",
                    () -> mail.maillogText().contains(": reject: body click here to unsubscribe from "));
            await("relayed without the ignored header",
                    () -> relay.count("Subject: checked and relayed") + senders.count("Subject: checked and relayed") == 1);
            List<String> relayed = new java.util.ArrayList<>(relay.messages());
            relayed.addAll(senders.messages());
            String message = relayed.stream().filter(m -> m.contains("Subject: checked and relayed")).findFirst()
                    .orElseThrow();
            assertTrue(message.contains("X-Kept: yes"), message);
            assertFalse(message.contains("X-Internal-Secret") || message.contains("s3cret"), message);

            String held = send("alice@client.example", List.of("hank@remote.example"), "hold me");
            await("cleanup's hold line", () -> mail.maillogText().contains(held + ": hold: header Subject: hold me from "));
            MailSystem.Result queue = mail.run("postqueue", "-p");
            assertTrue(queue.out().contains(held + "!"), queue.toString());
            assertEquals(0, mail.run("postsuper", "-d", held).exit());

            // a table that cannot be opened: the mail is deferred, never accepted unchecked
            Files.delete(bodyChecks);
            assertEquals(0, mail.run("postfix", "reload").exit());
            try (SmtpClient smtp = new SmtpClient(mail.port)) {
                smtp.command("EHLO client.example");
                assertEquals("451 4.3.0 Error: queue file write error",
                        data(smtp, "Subject: unchecked\r\n\r\nhello\r\n"));
            }
            await("cleanup's warning", () -> mail.maillogText().contains("body_checks map lookup problem"
                    + " -- message not accepted, try again later"));
        } finally {
            assertEquals(0, mail.run("postconf", "-e", "header_checks =", "body_checks =").exit());
            assertEquals(0, mail.run("postfix", "reload").exit());
        }
    }

    /** One transaction: MAIL, RCPT, DATA with {@code content} (CRLF lines); the reply to the final dot. */
    private static String data(SmtpClient smtp, String content) throws Exception {
        assertTrue(smtp.command("MAIL FROM:<alice@client.example>").startsWith("250"));
        assertTrue(smtp.command("RCPT TO:<hank@remote.example>").startsWith("250"));
        assertTrue(smtp.command("DATA").startsWith("354"));
        return smtp.command(content + ".");
    }

    // --- helpers ------------------------------------------------------------------------------

    private String send(String from, List<String> to, String subject) throws Exception {
        return send(from, to, subject, "hello\r\n");
    }

    /** {@code body}: CRLF lines, sent dot-stuffed. */
    private String send(String from, List<String> to, String subject, String body) throws Exception {
        try (SmtpClient smtp = new SmtpClient(mail.port)) {
            smtp.command("EHLO client.example");
            smtp.command("MAIL FROM:<" + from + ">");
            for (String r : to) assertTrue(smtp.command("RCPT TO:<" + r + ">").startsWith("250"));
            assertTrue(smtp.command("DATA").startsWith("354"));
            String reply = smtp.command("From: <" + from + ">\r\nSubject: " + subject + "\r\n\r\n"
                    + ("\n" + body).replace("\n.", "\n..").substring(1) + ".");
            Matcher m = Pattern.compile("^250 2\\.0\\.0 Ok: queued as (\\w+)$").matcher(reply);
            assertTrue(m.find(), reply);
            smtp.command("QUIT");
            return m.group(1);
        }
    }

    private long countMatches(String regex) {
        Matcher m = Pattern.compile(regex).matcher(mail.maillogText());
        long n = 0;
        while (m.find()) n++;
        return n;
    }


    private String history(String id) throws Exception {
        MailSystem.Result r = MailSystem.exec(List.of(MailSystem.REPO.resolve("bin/smarthost").toString(), "history",
                "-c", mail.configDir.toString(), id), null);
        return r.out() + r.err();
    }

    static void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
