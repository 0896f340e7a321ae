package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.TestDnsServer;

class SmtpClientScriptedTest {

    static TestDnsServer dns;
    static SmtpClient client;

    @BeforeAll
    static void setUp() throws Exception {
        dns = new TestDnsServer();
        client = SmtpClient.create(SmtpClientSettings.smtpDefaults("client.example.test").withTimeouts(Duration.ofSeconds(5)),
                new MxResolver(dns.client(), MxResolver.Settings.defaults()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        client.close();
        dns.close();
    }

    @Test
    void pipelinesMailRcptAndDataInOneGroup() throws Exception {
        boolean[] pipelined = {false};
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            out.send("220 scripted ESMTP");
            in.readLine();
            out.send("250-scripted", "250-PIPELINING", "250-SIZE 1000000", "250 ENHANCEDSTATUSCODES");
            String mail = in.readLine();
            // No reply yet: a pipelining client has already sent the rest of the group.
            String rcpt1 = in.readLine(), rcpt2 = in.readLine(), data = in.readLine();
            pipelined[0] = mail.startsWith("MAIL FROM:") && rcpt1.startsWith("RCPT TO:") && rcpt2.startsWith("RCPT TO:")
                    && data.equals("DATA");
            out.send("250 2.1.0 Ok", "250 2.1.5 Ok", "550-5.1.1 No such user here", "550 5.1.1 try another", "354 go");
            while (!".".equals(in.readLine())) { }
            out.send("250 2.0.0 Ok: queued as 4XyzAbc");
            in.readLine();
            out.send("221 2.0.0 Bye");
        })) {
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple(server.nexthop(),
                    "good@example.test", "bad@example.test")).get();
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertTrue(pipelined[0], "MAIL, RCPT, RCPT, DATA sent before the first reply: " + server.received);
            RecipientResult good = result.recipient("good@example.test");
            assertEquals(Outcome.DELIVERED, good.outcome());
            assertEquals("250 2.0.0 Ok: queued as 4XyzAbc", good.text());
            RecipientResult bad = result.recipient("bad@example.test");
            assertEquals(Outcome.BOUNCED, bad.outcome());
            assertEquals("5.1.1", bad.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] said: 550-5.1.1 No such user here 550 5.1.1 try another "
                    + "(in reply to RCPT TO command)", bad.text());
            String mail = server.received.stream().filter(l -> l.startsWith("MAIL")).findFirst().orElseThrow();
            assertTrue(mail.contains(" SIZE="), mail);
        }
    }

    @Test
    void sizeLimitIsCheckedBeforeSending() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            out.send("220 scripted ESMTP");
            in.readLine();
            out.send("250-scripted", "250 SIZE 10");
            String next = in.readLine();
            out.send(next.startsWith("QUIT") ? "221 Bye" : "500 unexpected");
        })) {
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple(server.nexthop(), "a@example.test")).get();
            RecipientResult r = result.recipients().get(0);
            assertEquals(Outcome.BOUNCED, r.outcome());
            assertEquals("5.3.4", r.dsn());
            int size = SmtpClientSinkTest.BODY.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertEquals("message size " + size + " exceeds size limit 10 of server 127.0.0.1[127.0.0.1]", r.text());
            awaitQuit(server);
            assertFalse(server.received.stream().anyMatch(l -> l.startsWith("MAIL")), server.received.toString());
        }
    }

    @Test
    void dataInitTimeout() throws Exception {
        SmtpClientSettings d = SmtpClientSettings.smtpDefaults("client.example.test").withTimeouts(Duration.ofSeconds(5));
        SmtpClientSettings settings = new SmtpClientSettings(false, d.heloName(), d.myHostname(), d.connectTimeout(),
                d.heloTimeout(), d.mailTimeout(), d.rcptTimeout(), Duration.ofMillis(300), d.dataXferTimeout(),
                d.dataDoneTimeout(), d.quitTimeout(), d.rsetTimeout(), 2, true, false, true, java.util.Set.of(),
                Duration.ofSeconds(2), Duration.ofSeconds(300), 0, 25);
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            out.send("220 scripted ESMTP");
            in.readLine();
            out.send("250 scripted");
            in.readLine();
            out.send("250 Ok");
            in.readLine();
            out.send("250 Ok");
            in.readLine(); // DATA: never answered
            try {
                in.readLine();
            } catch (SocketTimeoutException e) {
                // ignore
            }
        }); SmtpClient c = SmtpClient.create(settings, new MxResolver(dns.client(), MxResolver.Settings.defaults()))) {
            RecipientResult r = c.deliver(SmtpClientSinkTest.simple(server.nexthop(), "a@example.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("conversation with 127.0.0.1[127.0.0.1] timed out while sending DATA command", r.text());
        }
    }

    @Test
    void aCachedSessionIsProbedWithRsetInTheSameGroupAndReplacedWhenTheProbeFails() throws Exception {
        List<List<String>> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScriptedServer.Script first = (in, out) -> {
            newSessionWithOneMessage(in, out, groups, "1st");
            // Reused: the probe and the transaction arrive together, before any reply.
            groups.add(List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine()));
            out.send("250 2.0.0 Ok", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 go");
            while (!".".equals(in.readLine())) { }
            out.send("250 2.0.0 Ok: queued as 2nd");
            // Reused again, but this server has given up on the session meanwhile.
            groups.add(List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine()));
            out.send("421 4.4.2 scripted Error: timeout exceeded");
        };
        ScriptedServer.Script second = (in, out) -> {
            newSessionWithOneMessage(in, out, groups, "3rd");
            in.readLine();
            out.send("221 2.0.0 Bye");
        };
        try (ScriptedServer server = new ScriptedServer(first, second)) {
            RecipientResult one = client.deliver(SmtpClientSinkTest.request(server.nexthop(),
                    List.of(Recipient.of("a@example.test")), SmtpClientSinkTest.BODY, true)).get().recipients().get(0);
            RecipientResult two = client.deliver(SmtpClientSinkTest.request(server.nexthop(),
                    List.of(Recipient.of("b@example.test")), SmtpClientSinkTest.BODY, true)).get().recipients().get(0);
            RecipientResult three = client.deliver(SmtpClientSinkTest.request(server.nexthop(),
                    List.of(Recipient.of("c@example.test")), SmtpClientSinkTest.BODY, false)).get().recipients().get(0);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals("250 2.0.0 Ok: queued as 1st", one.text());
            assertEquals(1, one.connectionUse());
            assertEquals("250 2.0.0 Ok: queued as 2nd", two.text());
            assertEquals(2, two.connectionUse());
            assertEquals(Outcome.DELIVERED, three.outcome(), "a failed probe is no failure of the delivery");
            assertEquals("250 2.0.0 Ok: queued as 3rd", three.text());
            assertEquals(1, three.connectionUse(), "delivered over a new connection");
            assertEquals(4, groups.size(), groups.toString());
            assertEquals("RSET", groups.get(1).get(0));
            assertTrue(groups.get(1).get(1).startsWith("MAIL FROM:<"), groups.toString());
            assertEquals("DATA", groups.get(1).get(3));
            assertEquals("RSET", groups.get(2).get(0));
            assertTrue(groups.get(3).get(0).startsWith("MAIL FROM:<"), "no RSET on a new connection: " + groups);
        }
    }

    /** Greeting, EHLO with PIPELINING, and one pipelined MAIL/RCPT/DATA group (recorded) taken. */
    private static void newSessionWithOneMessage(java.io.BufferedReader in, ScriptedServer.Reply out,
                                                 List<List<String>> groups, String queuedAs) throws java.io.IOException {
        out.send("220 scripted ESMTP");
        in.readLine();
        out.send("250-scripted", "250 PIPELINING");
        groups.add(List.of(in.readLine(), in.readLine(), in.readLine()));
        out.send("250 2.1.0 Ok", "250 2.1.5 Ok", "354 go");
        while (!".".equals(in.readLine())) { }
        out.send("250 2.0.0 Ok: queued as " + queuedAs);
    }

    private static void awaitQuit(ScriptedServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!server.received.contains("QUIT") && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(server.received.contains("QUIT"), server.received.toString());
    }

}
