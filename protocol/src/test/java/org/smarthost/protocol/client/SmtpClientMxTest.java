package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.TestDnsServer;

/**
 * MX lookups and fallback across servers, with the in-process DNS server and smtp-sinks on
 * several loopback addresses sharing one port (Linux routes all of 127/8 to lo).
 */
class SmtpClientMxTest {

    static TestDnsServer dns;

    @TempDir Path dir;

    @BeforeAll
    static void zone() throws Exception {
        assumeTrue(Files.isExecutable(SmtpSink.BINARY), "Postfix smtp-sink is not installed");
        dns = new TestDnsServer()
                .mx("refused.test", 10, "mx1.refused.test").a("mx1.refused.test", "127.0.0.2")
                .mx("refused.test", 20, "mx2.refused.test").a("mx2.refused.test", "127.0.0.1")
                .mx("greet.test", 10, "mx1.greet.test").a("mx1.greet.test", "127.0.0.3")
                .mx("greet.test", 20, "mx2.greet.test").a("mx2.greet.test", "127.0.0.1")
                .mx("limit.test", 10, "mx1.limit.test").a("mx1.limit.test", "127.0.0.4")
                .mx("limit.test", 20, "mx2.limit.test").a("mx2.limit.test", "127.0.0.5")
                .mx("limit.test", 30, "mx3.limit.test").a("mx3.limit.test", "127.0.0.1")
                .mx("nullmx.test", 0, ".")
                .servfail("servfail.test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) dns.close();
    }

    static SmtpClient client(int sessionLimit) {
        return SmtpClient.create(SmtpClientSettings.smtpDefaults("client.example.test")
                        .withTimeouts(Duration.ofSeconds(5)).withMxSessionLimit(sessionLimit),
                new MxResolver(dns.client(), MxResolver.Settings.defaults()));
    }

    @Test
    void firstMxRefusesConnectionsSecondAccepts() throws Exception {
        int port = SmtpSink.freePort();
        try (SmtpSink mx2 = SmtpSink.start(dir, "127.0.0.1", port); SmtpClient client = client(2)) {
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple("refused.test:" + port, "a@refused.test")).get();
            RecipientResult r = result.recipients().get(0);
            assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
            assertEquals("mx2.refused.test[127.0.0.1]:" + port, result.relay().toString());
            assertEquals(1, mx2.awaitMessages(1).size());
        }
    }

    @Test
    void allMxRefuseIsDeferredWithTheLastError() throws Exception {
        int port = SmtpSink.freePort();
        try (SmtpClient client = client(2)) {
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple("refused.test:" + port, "a@refused.test")).get();
            RecipientResult r = result.recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("4.4.1", r.dsn());
            assertEquals("connect to mx2.refused.test[127.0.0.1]:" + port + ": Connection refused", r.text());
            assertEquals("none", result.relay().toString());
        }
    }

    @Test
    void softGreetingMovesToTheNextMx() throws Exception {
        int port = SmtpSink.freePort();
        try (SmtpSink mx1 = SmtpSink.start(dir, "127.0.0.3", port, "-r", "CONNECT");
             SmtpSink mx2 = SmtpSink.start(dir, "127.0.0.1", port);
             SmtpClient client = client(2)) {
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple("greet.test:" + port, "a@greet.test")).get();
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome());
            assertEquals("mx2.greet.test[127.0.0.1]:" + port, result.relay().toString());
            assertEquals(0, mx1.messages().size());
        }
    }

    @Test
    void softRecipientRejectsTryBackupsUpToTheSessionLimit() throws Exception {
        int port = SmtpSink.freePort();
        try (SmtpSink mx1 = SmtpSink.start(dir, "127.0.0.4", port, "-r", "RCPT");
             SmtpSink mx2 = SmtpSink.start(dir, "127.0.0.5", port, "-r", "RCPT");
             SmtpSink mx3 = SmtpSink.start(dir, "127.0.0.1", port)) {
            try (SmtpClient two = client(2)) {
                RecipientResult r = two.deliver(SmtpClientSinkTest.simple("limit.test:" + port, "a@limit.test"))
                        .get().recipients().get(0);
                assertEquals(Outcome.DEFERRED, r.outcome());
                assertEquals("host mx2.limit.test[127.0.0.5] said: 450 4.3.0 Error: command failed "
                        + "(in reply to RCPT TO command)", r.text());
                assertEquals(0, mx3.messages().size());
            }
            try (SmtpClient three = client(3)) {
                DeliveryResult result = three.deliver(SmtpClientSinkTest.simple("limit.test:" + port, "a@limit.test")).get();
                assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome());
                assertEquals("mx3.limit.test[127.0.0.1]:" + port, result.recipients().get(0).relay().toString());
                assertEquals(1, mx3.awaitMessages(1).size());
            }
        }
    }

    @Test
    void nullMxBounces() throws Exception {
        try (SmtpClient client = client(2)) {
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple("nullmx.test", "a@nullmx.test")).get();
            RecipientResult r = result.recipients().get(0);
            assertEquals(Outcome.BOUNCED, r.outcome());
            assertEquals("5.1.0", r.dsn());
            assertEquals("Domain nullmx.test does not accept mail (nullMX)", r.text());
            assertEquals("none", r.relay().toString());
        }
    }

    @Test
    void nxdomainBouncesServfailDefers() throws Exception {
        try (SmtpClient client = client(2)) {
            RecipientResult nx = client.deliver(SmtpClientSinkTest.simple("nowhere.test", "a@nowhere.test")).get().recipients().get(0);
            assertEquals(Outcome.BOUNCED, nx.outcome());
            assertEquals("5.4.4", nx.dsn());
            assertEquals("Host or domain name not found. Name service error for name=nowhere.test type=MX: Host not found",
                    nx.text());
            RecipientResult sf = client.deliver(SmtpClientSinkTest.simple("servfail.test", "a@servfail.test")).get().recipients().get(0);
            assertEquals(Outcome.DEFERRED, sf.outcome());
            assertEquals("4.4.3", sf.dsn());
            assertEquals("Host or domain name not found. Name service error for name=servfail.test type=MX: "
                    + "Host not found, try again", sf.text());
        }
    }
}
