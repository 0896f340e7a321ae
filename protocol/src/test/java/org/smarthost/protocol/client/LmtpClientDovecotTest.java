package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.TestDnsServer;

/** The LMTP client against Dovecot's real LMTP server, over TCP and a UNIX-domain socket. */
class LmtpClientDovecotTest {

    @TempDir static Path dir;
    static DovecotLmtp dovecot;
    static TestDnsServer dns;
    static SmtpClient lmtp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(DovecotLmtp.BINARY), "dovecot is not installed (apt-get install dovecot-core dovecot-lmtpd)");
        dovecot = DovecotLmtp.start(dir);
        dns = new TestDnsServer();
        lmtp = SmtpClient.create(SmtpClientSettings.lmtpDefaults("client.example.test").withTimeouts(Duration.ofSeconds(10)),
                new MxResolver(dns.client(), MxResolver.Settings.defaults()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lmtp != null) lmtp.close();
        if (dns != null) dns.close();
        if (dovecot != null) dovecot.close();
    }

    private static DeliveryResult deliver(String nexthop, String subject) throws Exception {
        String body = "From: sender@example.test\nSubject: " + subject + "\n\nhello\n.dotted line\n";
        return lmtp.deliver(SmtpClientSinkTest.request(nexthop, List.of(
                Recipient.of("alice@example.test"), Recipient.of("bob@example.test"), Recipient.of("carol@example.test")),
                body, false)).get();
    }

    private static void assertOutcomes(DeliveryResult result, String host, String subject) throws Exception {
        RecipientResult alice = result.recipient("alice@example.test");
        assertEquals(Outcome.DELIVERED, alice.outcome(), alice.toString());
        assertEquals("2.0.0", alice.dsn());
        assertTrue(alice.text().startsWith("250 2.0.0 <alice@example.test> ") && alice.text().endsWith(" Saved"), alice.text());

        RecipientResult bob = result.recipient("bob@example.test");
        assertEquals(Outcome.DEFERRED, bob.outcome(), bob.toString());
        assertEquals("4.2.2", bob.dsn());
        assertEquals("host " + host + " said: 452 4.2.2 <bob@example.test> Quota exceeded (mailbox for user is full) "
                + "(in reply to end of DATA command)", bob.text());

        RecipientResult carol = result.recipient("carol@example.test");
        assertEquals(Outcome.BOUNCED, carol.outcome(), carol.toString());
        assertEquals("5.1.1", carol.dsn());
        assertEquals("host " + host + " said: 550 5.1.1 <carol@example.test> User doesn't exist: carol@example.test "
                + "(in reply to RCPT TO command)", carol.text());

        boolean found = false;
        for (Path p : dovecot.newMail("alice")) {
            String message = Files.readString(p);
            if (message.contains("Subject: " + subject)) {
                found = true;
                assertTrue(message.contains("\n.dotted line\n"), "dot-stuffing undone by the server: " + message);
            }
        }
        assertTrue(found, "message in alice's Maildir/new");
        assertTrue(dovecot.newMail("bob").isEmpty(), "nothing stored for the over-quota user");
    }

    @Test
    void perRecipientRepliesOverTcp() throws Exception {
        DeliveryResult result = deliver("inet:127.0.0.1:" + dovecot.port, "over tcp");
        assertEquals("127.0.0.1[127.0.0.1]:" + dovecot.port, result.relay().toString());
        assertOutcomes(result, "127.0.0.1[127.0.0.1]", "over tcp");
    }

    @Test
    void perRecipientRepliesOverUnixSocket() throws Exception {
        DeliveryResult result = deliver("unix:" + dovecot.socket, "over unix");
        assertEquals("client.example.test[" + dovecot.socket + "]", result.relay().toString());
        assertOutcomes(result, "client.example.test[" + dovecot.socket + "]", "over unix");
    }

    @Test
    void missingSocketIsDeferred() throws Exception {
        Path missing = dir.resolve("no-such.sock");
        RecipientResult r = lmtp.deliver(SmtpClientSinkTest.simple("unix:" + missing, "alice@example.test")).get().recipients().get(0);
        assertEquals(Outcome.DEFERRED, r.outcome());
        assertEquals("4.4.1", r.dsn());
        assertEquals("connect to client.example.test[" + missing + "]: No such file or directory", r.text());
    }
}
