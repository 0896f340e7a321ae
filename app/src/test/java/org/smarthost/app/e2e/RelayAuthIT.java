package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.smarthost.protocol.sasl.DovecotAuth;
import org.smarthost.protocol.tls.TestCertificates;

/**
 * The relayhost with a password, between two real servers: smarthost A relays to smarthost B
 * with smtp_sasl_auth_enable and a login in smtp_sasl_password_maps, over STARTTLS
 * (smtp_tls_security_level = encrypt); B authenticates against Dovecot and relays only for
 * authenticated clients (smtpd_relay_restrictions = permit_sasl_authenticated,
 * reject_unauth_destination), to smtp-sink.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayAuthIT {

    Path temp;
    MailSystem a;
    MailSystem b;
    DeliveryIT.Sink sink;
    DovecotAuth dovecot;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/smtp-sink")), "smtp-sink is not installed (apt-get install postfix)");
        assumeTrue(Files.isExecutable(DovecotAuth.BINARY), "dovecot-core is not installed");
        temp = MailSystem.newRoot("smarthost-relay-auth");
        sink = new DeliveryIT.Sink(temp.resolve("sink"));
        sink.start();
        dovecot = DovecotAuth.start(Files.createDirectories(temp.resolve("dovecot")), false);
        b = new MailSystem(temp.resolve("b"));
        var rsa = TestCertificates.rsa(Files.createDirectories(temp.resolve("keys")), "b.example.test");
        b.appendMainCf(
                "relayhost = [127.0.0.1]:" + sink.port,
                "mynetworks = 192.0.2.0/24", // A on loopback is a stranger: only AUTH lets it relay
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + rsa.cert(),
                "smtpd_tls_key_file = " + rsa.key(),
                "smtpd_sasl_auth_enable = yes",
                "smtpd_sasl_type = dovecot",
                "smtpd_sasl_path = " + dovecot.socket,
                "smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination");
        a = new MailSystem(temp.resolve("a"));
        a.appendMainCf(
                "relayhost = [127.0.0.1]:" + b.port,
                "smtp_tls_security_level = encrypt",
                "smtp_sasl_auth_enable = yes",
                "smtp_sasl_password_maps = " + passwords("alice:secret"),
                "smtp_sasl_security_options = noanonymous",
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
        for (AutoCloseable c : new AutoCloseable[] {a, b, sink, dovecot}) {
            if (c != null) c.close();
        }
        if (temp != null) MailSystem.deleteTree(temp);
    }

    /** smtp_sasl_password_maps with one entry for B, keyed by the relayhost as written. */
    private String passwords(String login) {
        return "inline:{[127.0.0.1]:" + b.port + "=" + login + "}";
    }

    private void setPasswords(String value, String... more) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("-e", "smtp_sasl_password_maps = " + value));
        args.addAll(java.util.List.of(more));
        MailSystem.Result set = a.run("postconf", args.toArray(String[]::new));
        assertEquals(0, set.exit(), set.toString());
        MailSystem.Result reload = a.run("postfix", "reload");
        assertEquals(0, reload.exit(), reload.toString());
    }

    @Test
    void theRelayhostWithAPassword() throws Exception {
        setPasswords(passwords("alice:secret"), "smtp_sasl_mechanism_filter =");
        String id = send("with a password");
        DeliveryIT.await("message at the sink", () -> sink.count("Subject: with a password") == 1);
        DeliveryIT.await("A's delivery line", () -> a.maillogText().contains(id + ": to=<friend@remote.example>, relay=127.0.0.1[127.0.0.1]:"
                + b.port));
        String logA = a.maillogText();
        assertTrue(logA.matches("(?s).*" + id + ": to=<friend@remote\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1]:"
                + b.port + ", delay=[^\n]*, dsn=2\\.0\\.0, status=sent \\(250 2\\.0\\.0 Ok: queued as \\w+\\)\n.*"), logA);
        assertFalse(logA.contains("secret"), logA);
        // B saw the login, after STARTTLS: Dovecot offers CRAM-MD5, which the client prefers
        String logB = b.maillogText();
        assertTrue(logB.matches("(?s).*postfix/smtpd\\[\\d+]: \\w+: client=localhost\\[127\\.0\\.0\\.1], "
                + "sasl_method=CRAM-MD5, sasl_username=alice\n.*"), logB);
        String message = sink.messages().stream().filter(m -> m.contains("Subject: with a password")).findFirst().orElseThrow();
        assertTrue(message.contains("with ESMTPSA id"), message);

        // smtp_sasl_mechanism_filter = plain: PLAIN, with the initial response
        setPasswords(passwords("alice:secret"), "smtp_sasl_mechanism_filter = plain");
        send("with PLAIN");
        DeliveryIT.await("the PLAIN message at the sink", () -> sink.count("Subject: with PLAIN") == 1);
        assertTrue(b.maillogText().matches("(?s).*postfix/smtpd\\[\\d+]: \\w+: client=localhost\\[127\\.0\\.0\\.1], "
                + "sasl_method=PLAIN, sasl_username=alice\n.*"), b.maillogText());
        assertFalse(a.maillogText().contains("secret"));
    }

    @Test
    void aWrongPasswordKeepsTheMailDeferredUntilItIsFixed() throws Exception {
        setPasswords(passwords("alice:wrong"));
        String id = send("wrong password");
        DeliveryIT.await("the deferral", () -> a.maillogText().contains(id + ": to=<friend@remote.example>, relay=127.0.0.1[127.0.0.1]:"
                + b.port));
        String logA = a.maillogText();
        assertTrue(logA.matches("(?s).*" + id + ": to=<friend@remote\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1]:"
                + b.port + ", delay=[^\n]*, dsn=4\\.7\\.8, status=deferred \\(SASL authentication failed; server "
                + "127\\.0\\.0\\.1\\[127\\.0\\.0\\.1] said: 535 5\\.7\\.8 Error: authentication failed: [^\n]*\\)\n.*"), logA);
        assertFalse(logA.contains("wrong"), "the password is not logged: " + logA);
        assertEquals(0, sink.count("Subject: wrong password"));
        MailSystem.Result queue = a.run("postqueue", "-p");
        assertTrue(queue.out().contains(id), queue.toString());

        // the administrator fixes the password: the next attempt delivers
        setPasswords(passwords("alice:secret"));
        assertEquals(0, a.run("postqueue", "-f").exit());
        DeliveryIT.await("the deferred message at the sink", () -> sink.count("Subject: wrong password") == 1);
    }

    @Test
    void withoutAnEntryTheMailGoesUnauthenticatedAndBIsTheOneThatRefuses() throws Exception {
        setPasswords("inline:{other.example=alice:secret}");
        String id = send("no password");
        DeliveryIT.await("the refusal", () -> a.maillogText().contains(id + ": to=<friend@remote.example>, relay=127.0.0.1[127.0.0.1]:"
                + b.port));
        String logA = a.maillogText();
        assertTrue(logA.matches("(?s).*" + id + ": to=<friend@remote\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1]:"
                + b.port + ", delay=[^\n]*, dsn=5\\.7\\.1, status=bounced \\(host 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1] said: "
                + "554 5\\.7\\.1 <friend@remote\\.example>: Relay access denied \\(in reply to RCPT TO command\\)\\)\n.*"), logA);
        assertEquals(0, sink.count("Subject: no password"));
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
