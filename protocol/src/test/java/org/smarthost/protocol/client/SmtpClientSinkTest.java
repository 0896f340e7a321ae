package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.TestDnsServer;

/** The SMTP client against Postfix's real smtp-sink on loopback. */
class SmtpClientSinkTest {

    static final String BODY = "From: a@example.test\nSubject: t\n\n.leading dot\n..two dots\nlast line without newline";

    static TestDnsServer dns;
    static SmtpClient client;

    @TempDir Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(Files.isExecutable(SmtpSink.BINARY), "Postfix smtp-sink is not installed");
        dns = new TestDnsServer();
        client = SmtpClient.create(SmtpClientSettings.smtpDefaults("client.example.test").withTimeouts(Duration.ofSeconds(5)),
                new MxResolver(dns.client(), MxResolver.Settings.defaults()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (client != null) client.close();
        if (dns != null) dns.close();
    }

    static DeliveryRequest request(String nexthop, List<Recipient> recipients, String body, boolean moreMail) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new DeliveryRequest(nexthop, "sender@example.test", recipients, "HDRS", "env+id=1", bytes.length,
                "8BITMIME", false, () -> new ByteArrayInputStream(bytes), moreMail);
    }

    static DeliveryRequest simple(String nexthop, String... recipients) {
        return request(nexthop, java.util.Arrays.stream(recipients).map(Recipient::of).toList(), BODY, false);
    }

    @Test
    void deliversWithDsnSizeBodyAndDotStuffing() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir)) {
            Recipient rcpt = new Recipient("rcpt@example.test", Set.of("SUCCESS", "FAILURE"), "rfc822;orig+x@example.test");
            DeliveryResult result = client.deliver(request(sink.nexthop(),
                    List.of(rcpt, Recipient.of("second@example.test")), BODY, false)).get();

            String relay = "127.0.0.1[127.0.0.1]:" + sink.port;
            assertEquals(relay, result.relay().toString());
            for (RecipientResult r : result.recipients()) {
                assertEquals(Outcome.DELIVERED, r.outcome());
                assertEquals("2.0.0", r.dsn());
                assertEquals("250 2.0.0 Ok", r.text());
                assertEquals(relay, PostfixText.relay(r.relay()));
            }
            String dump = sink.awaitMessages(1).get(0);
            // smtp-sink does not announce SIZE, so no SIZE= is sent (as Postfix does).
            assertTrue(dump.contains("X-Mail-Args: <sender@example.test> BODY=8BITMIME RET=HDRS ENVID=env+2Bid+3D1\n"), dump);
            assertTrue(dump.contains("X-Rcpt-Args: <rcpt@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig+2Bx@example.test\n"), dump);
            assertTrue(dump.contains("X-Rcpt-Args: <second@example.test>\n"), dump);
            assertTrue(dump.contains("X-Helo-Args: client.example.test\n"), dump);
            assertTrue(dump.contains("X-Client-Proto: ESMTP"), dump);
            // smtp-sink removes the dot-stuffing: the lines arrive as they were.
            assertTrue(dump.contains("\n.leading dot\n..two dots\nlast line without newline\n"), dump);
            assertFalse(result.connectionSetup().isNegative());
            assertFalse(result.transmission().isNegative());
        }
    }

    @Test
    void dsnParametersOnlyWhenAdvertised() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-N", "-8")) {
            Recipient rcpt = new Recipient("rcpt@example.test", Set.of("NEVER"), "rfc822;rcpt@example.test");
            DeliveryResult result = client.deliver(request(sink.nexthop(), List.of(rcpt), BODY, false)).get();
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome());
            String dump = sink.awaitMessages(1).get(0);
            assertTrue(dump.contains("X-Mail-Args: <sender@example.test>\n"), "no BODY=, RET=, ENVID=: " + dump);
            assertTrue(dump.contains("X-Rcpt-Args: <rcpt@example.test>\n"), dump);
        }
    }

    @Test
    void withoutPipelining() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-p")) {
            DeliveryResult result = client.deliver(simple(sink.nexthop(), "a@example.test", "b@example.test")).get();
            assertEquals(List.of(Outcome.DELIVERED, Outcome.DELIVERED),
                    result.recipients().stream().map(RecipientResult::outcome).toList());
            assertEquals(1, sink.awaitMessages(1).size());
        }
    }

    @Test
    void softRejectedRecipient() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-r", "RCPT")) {
            RecipientResult r = client.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("4.3.0", r.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] said: 450 4.3.0 Error: command failed (in reply to RCPT TO command)",
                    r.text());
            assertEquals("450 4.3.0 Error: command failed", r.remoteReply());
        }
    }

    @Test
    void hardRejectedRecipient() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-f", "RCPT", "-B", "550 5.1.1 <a@example.test>: Recipient address rejected: User unknown")) {
            RecipientResult r = client.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.BOUNCED, r.outcome());
            assertEquals("5.1.1", r.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <a@example.test>: Recipient address rejected: "
                    + "User unknown (in reply to RCPT TO command)", r.text());
        }
    }

    @Test
    void rejectedSender() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-f", "MAIL")) {
            DeliveryResult result = client.deliver(simple(sink.nexthop(), "a@example.test", "b@example.test")).get();
            for (RecipientResult r : result.recipients()) {
                assertEquals(Outcome.BOUNCED, r.outcome());
                assertEquals("5.3.0", r.dsn());
                assertEquals("host 127.0.0.1[127.0.0.1] said: 500 5.3.0 Error: command failed (in reply to MAIL FROM command)",
                        r.text());
            }
        }
    }

    @Test
    void rejectedData() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-f", "DATA")) {
            RecipientResult r = client.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.BOUNCED, r.outcome());
            assertTrue(r.text().endsWith("(in reply to DATA command)"), r.text());
        }
    }

    @Test
    void softRejectedEndOfData() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-r", ".")) {
            RecipientResult r = client.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("host 127.0.0.1[127.0.0.1] said: 450 4.3.0 Error: command failed (in reply to end of DATA command)",
                    r.text());
        }
    }

    @Test
    void greetingRejectedIsSoftWithSkip5xx() throws Exception {
        try (SmtpSink soft = SmtpSink.start(dir, "-r", "CONNECT"); SmtpSink hard = SmtpSink.start(dir, "-f", "CONNECT")) {
            RecipientResult r = client.deliver(simple(soft.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("host 127.0.0.1[127.0.0.1] refused to talk to me: 450 4.3.0 Error: command failed", r.text());
            assertEquals("127.0.0.1[127.0.0.1]:" + soft.port, r.relay().toString(), "a session was established");
            RecipientResult h = client.deliver(simple(hard.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, h.outcome(), "smtp_skip_5xx_greeting = yes");
            assertEquals("4.3.0", h.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] refused to talk to me: 500 5.3.0 Error: command failed", h.text());
        }
    }

    @Test
    void ehloRejectedFallsBackToHelo() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-f", "EHLO")) {
            RecipientResult r = client.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DELIVERED, r.outcome());
            String dump = sink.awaitMessages(1).get(0);
            assertTrue(dump.contains("X-Client-Proto: SMTP\n"), dump);
            assertTrue(dump.contains("X-Mail-Args: <sender@example.test>\n"), "no ESMTP parameters after HELO: " + dump);
        }
    }

    @Test
    void lostConnection() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir, "-q", "RCPT")) {
            RecipientResult r = client.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("4.4.2", r.dsn());
            assertEquals("lost connection with 127.0.0.1[127.0.0.1] while sending RCPT TO", r.text());
        }
    }

    @Test
    void rcptTimeout() throws Exception {
        SmtpClientSettings fast = SmtpClientSettings.smtpDefaults("client.example.test").withTimeouts(Duration.ofSeconds(5));
        fast = new SmtpClientSettings(false, fast.heloName(), fast.myHostname(), fast.connectTimeout(), fast.heloTimeout(),
                fast.mailTimeout(), Duration.ofMillis(500), fast.dataInitTimeout(), fast.dataXferTimeout(),
                fast.dataDoneTimeout(), fast.quitTimeout(), fast.rsetTimeout(), 2, true, false, true, Set.of(),
                Duration.ofSeconds(2), Duration.ofSeconds(300), 0, 25);
        try (SmtpSink sink = SmtpSink.start(dir, "-p", "-W", "RCPT:3");
             SmtpClient slow = SmtpClient.create(fast, new MxResolver(dns.client(), MxResolver.Settings.defaults()))) {
            RecipientResult r = slow.deliver(simple(sink.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome(), r.toString());
            assertEquals("4.4.2", r.dsn());
            assertEquals("conversation with 127.0.0.1[127.0.0.1] timed out while sending RCPT TO", r.text());
        }
    }

    @Test
    void connectionRefused() throws Exception {
        int port = SmtpSink.freePort();
        DeliveryResult result = client.deliver(simple("[127.0.0.1]:" + port, "a@example.test")).get();
        RecipientResult r = result.recipients().get(0);
        assertEquals(Outcome.DEFERRED, r.outcome());
        assertEquals("4.4.1", r.dsn());
        assertEquals("connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused", r.text());
        assertEquals("none", result.relay().toString());
        assertEquals(Relay.NONE, r.relay());
    }

    @Test
    void reusesCachedConnectionWithRset() throws Exception {
        try (SmtpSink sink = SmtpSink.start(dir)) {
            // SmtpSink.start's readiness probe is a session of its own; wait until it is counted.
            long probeDeadline = System.nanoTime() + 5_000_000_000L;
            while (sink.counters()[0] < 1 && System.nanoTime() < probeDeadline) Thread.sleep(20);
            assertEquals(1, sink.counters()[0]);
            SmtpClient caching = SmtpClient.create(SmtpClientSettings.smtpDefaults("client.example.test")
                    .withTimeouts(Duration.ofSeconds(5)), new MxResolver(dns.client(), MxResolver.Settings.defaults()));
            try {
                DeliveryRequest first = request(sink.nexthop(), List.of(Recipient.of("a@example.test")), BODY, true);
                RecipientResult one = caching.deliver(first).get().recipients().get(0);
                assertEquals(Outcome.DELIVERED, one.outcome());
                assertEquals(1, one.connectionUse(), "a new connection's first transaction");
                assertEquals(1, caching.cachedSessions());
                DeliveryRequest second = request(sink.nexthop(), List.of(Recipient.of("b@example.test")), BODY, false);
                RecipientResult two = caching.deliver(second).get().recipients().get(0);
                assertEquals(Outcome.DELIVERED, two.outcome());
                assertEquals(2, two.connectionUse(), "the cached connection's second: Postfix's conn_use=2");
                assertEquals(0, caching.cachedSessions(), "no backlog: the session is closed after use");
                assertEquals(2, sink.awaitMessages(2).size());
            } finally {
                caching.close();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sink.counters()[1] < 1 && System.nanoTime() < deadline) Thread.sleep(20);
            int[] counters = sink.counters();
            assertEquals(2, counters[0], "the probe and one session for two messages");
            assertEquals(1, counters[1], "one QUIT");
            assertEquals(2, counters[2], "two messages");
        }
    }

    @Test
    void streamsLargeBody() throws Exception {
        long lines = 200_000; // ~15 MB, generated on the fly
        byte[] line = "0123456789012345678901234567890123456789012345678901234567890123456789\n".getBytes(StandardCharsets.US_ASCII);
        BodySource source = () -> new InputStream() {
            long pos;
            final long total = lines * line.length;

            @Override public int read() {
                return pos < total ? line[(int) (pos++ % line.length)] : -1;
            }

            @Override public int read(byte[] b, int off, int len) {
                if (pos >= total) return -1;
                int n = (int) Math.min(len, total - pos);
                for (int i = 0; i < n; i++) b[off + i] = line[(int) (pos++ % line.length)];
                return n;
            }
        };
        try (SmtpSink sink = SmtpSink.start(dir)) {
            DeliveryRequest request = new DeliveryRequest(sink.nexthop(), "s@example.test", List.of(Recipient.of("r@example.test")),
                    null, null, lines * line.length, "7BIT", false, source, false);
            assertEquals(Outcome.DELIVERED, client.deliver(request).get().recipients().get(0).outcome());
            String dump = sink.awaitMessages(1).get(0);
            assertTrue(dump.length() > lines * line.length, "whole body received");
        }
    }
}
