package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.smarthost.protocol.sasl.DovecotAuth;
import org.smarthost.protocol.tls.TestCertificates;

/**
 * The submission set-up a Postfix administrator writes into master.cf: port 25 for everyone,
 * a "submission" service that requires STARTTLS and AUTH (against Dovecot), and a wrapper-mode
 * "smtps" one. Driven by swaks (with Net::SSLeay) and Python's smtplib; mail relays to smtp-sink.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmissionIT {

    private static final Path SWAKS = Path.of("/usr/bin/swaks");

    Path temp;
    MailSystem mail;
    DeliveryIT.Sink relay;
    DovecotAuth dovecot;
    int smtp;
    int submission;
    int smtps;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/smtp-sink")), "smtp-sink is not installed (apt-get install postfix)");
        assumeTrue(Files.isExecutable(DovecotAuth.BINARY), "dovecot-core is not installed");
        temp = MailSystem.newRoot("smarthost-submission");
        mail = new MailSystem(temp);
        relay = new DeliveryIT.Sink(temp.resolve("relay-sink"));
        relay.start();
        dovecot = DovecotAuth.start(Files.createDirectories(temp.resolve("dovecot")), false);
        Path keys = Files.createDirectories(temp.resolve("keys"));
        var rsa = TestCertificates.rsa(keys, "mx.example.com");
        smtp = MailSystem.freePort();
        submission = MailSystem.freePort();
        smtps = MailSystem.freePort();
        mail.appendMainCf(
                "relayhost = [127.0.0.1]:" + relay.port,
                "mynetworks = 192.0.2.0/24", // loopback clients are strangers: only AUTH lets them relay
                "smtpd_tls_security_level = may",
                "smtpd_tls_chain_files = " + rsa.combined(),
                "smtpd_tls_loglevel = 1",
                "smtpd_tls_received_header = yes",
                "smtpd_sasl_type = dovecot",
                "smtpd_sasl_path = " + dovecot.socket,
                "smtpd_sasl_authenticated_header = yes");
        mail.writeMasterCf(String.join("\n",
                "127.0.0.1:" + smtp + " inet n - n - - smtpd",
                "127.0.0.1:" + submission + " inet n - n - - smtpd",
                "  -o syslog_name=postfix/submission",
                "  -o smtpd_tls_security_level=encrypt",
                "  -o smtpd_sasl_auth_enable=yes",
                "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject",
                "127.0.0.1:" + smtps + " inet n - n - - smtpd",
                "  -o smtpd_tls_wrappermode=yes",
                "  -o smtpd_sasl_auth_enable=yes",
                ""));
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
    }

    @AfterAll
    void tearDown() throws Exception {
        if (mail != null) mail.close();
        if (relay != null) relay.close();
        if (dovecot != null) dovecot.close();
        if (temp != null) MailSystem.deleteTree(temp);
    }

    private MailSystem.Result swaks(int port, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(SWAKS.toString(), "--server", "127.0.0.1:" + port,
                "--helo", "laptop.example", "--from", "alice@example.org", "--to", "friend@elsewhere.example"));
        cmd.addAll(List.of(extra));
        return MailSystem.exec(cmd, null);
    }

    @Test
    void swaksSubmitsWithStarttlsAndAuthAndTheRelayGetsItWithTheReceivedDetails() throws Exception {
        assumeTrue(Files.isExecutable(SWAKS), "swaks is not installed");
        MailSystem.Result r = swaks(submission, "--tls", "--auth", "PLAIN", "--auth-user", "alice",
                "--auth-password", "secret", "--header", "Subject: submitted over TLS");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("<~  235 2.7.0 Authentication successful"), r.out());
        DeliveryIT.await("message at the relay", () -> relay.count("Subject: submitted over TLS") == 1);
        String message = relay.messages().stream().filter(m -> m.contains("Subject: submitted over TLS")).findFirst().orElseThrow();
        assertTrue(message.matches("(?s).*Received: from laptop\\.example \\(localhost \\[127\\.0\\.0\\.1]\\)\r?\n"
                + "\t\\(using TLSv1\\.[23] with cipher \\S+ \\(\\d+/\\d+ bits\\)\\)\r?\n"
                + "\t\\(No client certificate requested\\)\r?\n"
                + "\t\\(Authenticated sender: alice\\)\r?\n"
                + "\tby \\S+ \\(Postfix\\) with ESMTPSA id \\S+\r?\n.*"), message);
        // the submission service logs as Debian's master.cf names it: -o syslog_name=postfix/submission
        String log = mail.maillogText();
        assertTrue(log.matches("(?s).*postfix/submission/smtpd\\[\\d+]: Anonymous TLS connection established from "
                + "localhost\\[127\\.0\\.0\\.1]: TLSv1\\.[23] with cipher .*"), log);
        assertTrue(log.matches("(?s).*postfix/submission/smtpd\\[\\d+]: \\w+: client=localhost\\[127\\.0\\.0\\.1], "
                + "sasl_method=PLAIN, sasl_username=alice\n.*"), log);
    }

    @Test
    void submissionRefusesMailBeforeStarttlsAndStrangersCannotRelay() throws Exception {
        assumeTrue(Files.isExecutable(SWAKS), "swaks is not installed");
        MailSystem.Result plain = swaks(submission, "--quit-after", "MAIL");
        assertTrue(plain.out().contains("<** 530 5.7.0 Must issue a STARTTLS command first"), plain.out());
        MailSystem.Result noAuth = swaks(submission, "--tls", "--quit-after", "RCPT");
        // "reject" in smtpd_relay_restrictions: Postfix's generic text
        assertTrue(noAuth.out().contains("<~* 554 5.7.1 <friend@elsewhere.example>: Recipient address rejected: Access denied"),
                noAuth.out());
        MailSystem.Result badPassword = swaks(submission, "--tls", "--auth", "PLAIN", "--auth-user", "alice",
                "--auth-password", "wrong");
        assertTrue(badPassword.out().contains("<~* 535 5.7.8 Error: authentication failed: "), badPassword.out());
        DeliveryIT.await("the failure in the log", () -> mail.maillogText().matches("(?s).*postfix/submission/smtpd\\[\\d+]: "
                + "warning: localhost\\[127\\.0\\.0\\.1]: SASL PLAIN authentication failed: .*"));
        // port 25: STARTTLS offered, AUTH not, relay deferred (Postfix's default defer_unauth_destination)
        MailSystem.Result stranger = swaks(smtp, "--tls", "--quit-after", "RCPT");
        assertTrue(stranger.out().contains("<-  250-STARTTLS"), stranger.out());
        assertTrue(stranger.out().contains("<-  220 2.0.0 Ready to start TLS"), stranger.out());
        assertTrue(!stranger.out().contains("AUTH"), stranger.out());
        assertTrue(stranger.out().contains("<~* 454 4.7.1 <friend@elsewhere.example>: Relay access denied"), stranger.out());
    }

    @Test
    void pythonSendsThroughTheWrapperModeService() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "/usr/bin/python3 is not installed");
        Path script = Files.writeString(temp.resolve("smtps.py"), String.join("\n",
                "import smtplib, ssl, sys",
                "ctx = ssl.create_default_context()",
                "ctx.check_hostname = False",
                "ctx.verify_mode = ssl.CERT_NONE",
                "with smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), local_hostname='phone.example', context=ctx) as s:",
                "    s.login('bob', 'hunter2')",
                "    s.sendmail('bob@example.org', ['friend@elsewhere.example'], b'Subject: over smtps\\r\\n\\r\\nbody\\r\\n')",
                "print('sent')",
                ""));
        MailSystem.Result r = MailSystem.exec(List.of("/usr/bin/python3", script.toString(), String.valueOf(smtps)), null);
        assertEquals(0, r.exit(), r.toString());
        DeliveryIT.await("message at the relay", () -> relay.count("Subject: over smtps") == 1);
        String message = relay.messages().stream().filter(m -> m.contains("Subject: over smtps")).findFirst().orElseThrow();
        assertTrue(message.contains("(Authenticated sender: bob)"), message);
        assertTrue(message.matches("(?s).*\tby \\S+ \\(Postfix\\) with ESMTPSA id .*"), message);
    }
}
