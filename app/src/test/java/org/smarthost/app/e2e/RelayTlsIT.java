package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.smarthost.protocol.tls.TestCertificates;

/**
 * The delivery side's STARTTLS between two real servers: smarthost A relays with
 * smtp_tls_security_level = encrypt to smarthost B, whose smtpd offers STARTTLS, and B relays to
 * smtp-sink. When B stops offering TLS, A keeps the mail deferred rather than send it in plaintext.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayTlsIT {

    Path temp;
    MailSystem a;
    MailSystem b;
    DeliveryIT.Sink sink;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/smtp-sink")), "smtp-sink is not installed (apt-get install postfix)");
        temp = MailSystem.newRoot("smarthost-relay-tls");
        sink = new DeliveryIT.Sink(temp.resolve("sink"));
        sink.start();
        b = new MailSystem(temp.resolve("b"));
        var rsa = TestCertificates.rsa(Files.createDirectories(temp.resolve("keys")), "b.example.test");
        b.appendMainCf(
                "relayhost = [127.0.0.1]:" + sink.port,
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + rsa.cert(),
                "smtpd_tls_key_file = " + rsa.key(),
                "smtpd_tls_received_header = yes");
        a = new MailSystem(temp.resolve("a"));
        a.appendMainCf(
                "relayhost = [127.0.0.1]:" + b.port,
                "smtp_tls_security_level = encrypt",
                "smtp_tls_loglevel = 1",
                "queue_run_delay = 1s",
                "minimal_backoff_time = 1s",
                "maximal_backoff_time = 2s");
        for (MailSystem m : new MailSystem[] {b, a}) {
            MailSystem.Result start = m.run("postfix", "start");
            assertEquals(0, start.exit(), start.toString());
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, sink}) {
            if (c != null) c.close();
        }
        if (temp != null) MailSystem.deleteTree(temp);
    }

    @Test
    void encryptRelaysOverTlsAndHoldsTheMailWhenTlsIsGone() throws Exception {
        String first = send("over TLS");
        DeliveryIT.await("message at the sink", () -> sink.count("Subject: over TLS") == 1);
        String message = sink.messages().stream().filter(m -> m.contains("Subject: over TLS")).findFirst().orElseThrow();
        // B's Received: says how A reached it
        assertTrue(message.matches("(?s).*\t\\(using TLSv1\\.3 with cipher \\S+ \\(\\d+/\\d+ bits\\)\\)\r?\n"
                + "\t\\(No client certificate requested\\)\r?\n\tby \\S+ \\(Postfix\\) with ESMTPS id .*"), message);
        String log = a.maillogText();
        assertTrue(log.matches("(?s).*postfix/smtp\\[\\d+]: Untrusted TLS connection established to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1]:"
                + b.port + ": TLSv1\\.3 with cipher .*"), log);
        assertTrue(log.contains(first + ": to=<friend@remote.example>, relay=127.0.0.1[127.0.0.1]:" + b.port), log);

        // B stops offering STARTTLS: A must not fall back to plaintext
        MailSystem.Result off = b.run("postconf", "-e", "smtpd_tls_security_level = none");
        assertEquals(0, off.exit(), off.toString());
        assertEquals(0, b.run("postfix", "reload").exit());
        String second = send("held back");
        DeliveryIT.await("the deferral", () -> a.maillogText().contains(second + ": to=<friend@remote.example>, relay=127.0.0.1[127.0.0.1]:"
                + b.port) && a.maillogText().contains("dsn=4.7.4, status=deferred (TLS is required, but was not offered by host"
                + " 127.0.0.1[127.0.0.1])"));
        assertEquals(0, sink.count("Subject: held back"));

        // TLS back on: the next retry delivers it
        assertEquals(0, b.run("postconf", "-e", "smtpd_tls_security_level = may").exit());
        assertEquals(0, b.run("postfix", "reload").exit());
        assertEquals(0, a.run("postqueue", "-f").exit());
        DeliveryIT.await("the held message at the sink", () -> sink.count("Subject: held back") == 1);
    }

    private String send(String subject) throws Exception {
        try (SmtpClient smtp = new SmtpClient(a.port)) {
            smtp.command("EHLO client.example");
            smtp.command("MAIL FROM:<me@client.example>");
            assertTrue(smtp.command("RCPT TO:<friend@remote.example>").startsWith("250"));
            assertTrue(smtp.command("DATA").startsWith("354"));
            String reply = smtp.command("Subject: " + subject + "\r\n\r\nhello\r\n.");
            Matcher m = Pattern.compile("^250 2\\.0\\.0 Ok: queued as (\\w+)$").matcher(reply);
            assertTrue(m.find(), reply);
            smtp.command("QUIT");
            return m.group(1);
        }
    }
}
