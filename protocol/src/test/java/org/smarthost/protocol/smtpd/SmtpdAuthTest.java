package org.smarthost.protocol.smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.protocol.sasl.DovecotAuth;
import org.smarthost.protocol.sasl.DovecotSaslServer;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.sasl.SaslServer;
import org.smarthost.protocol.tls.ServerCredentials;
import org.smarthost.protocol.tls.ServerTlsContexts;
import org.smarthost.protocol.tls.TestCertificates;

/** SMTP AUTH (RFC 4954) against a real Dovecot auth server (Debian package dovecot-core). */
class SmtpdAuthTest extends SmtpdTestSupport {

    @TempDir
    static Path dovecotDir;
    static DovecotAuth dovecot;

    @BeforeAll
    static void startDovecot() throws Exception {
        assumeTrue(Files.isExecutable(DovecotAuth.BINARY), "dovecot-core is not installed");
        dovecot = DovecotAuth.start(dovecotDir, false);
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) dovecot.close();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    /** AUTH on, mynetworks empty: only an authenticated client may relay. */
    private SmtpdSettings auth(SaslServer server, boolean brokenClients, boolean header) {
        SmtpdSettings s = withNetworks(defaults(), List.of(), List.of(HOST), List.of());
        return s.with(new SmtpdSasl(true, server, SaslSecurityOptions.DEFAULT, SaslSecurityOptions.DEFAULT, header,
                brokenClients, "smtp", List.of(), 12288));
    }

    private SaslServer dovecotServer() {
        return DovecotSaslServer.create(dovecot.socket.toString(), tmp, Duration.ofSeconds(10));
    }

    @Test
    void ehloAnnouncesTheMechanismsTheSecurityOptionsAllow() throws Exception {
        SmtpServer server = start(auth(dovecotServer(), true, false));
        SmtpTestClient c = connect(server);
        c.reply();
        String ehlo = c.cmd("EHLO client.example");
        String auth = ehlo.lines().filter(l -> l.startsWith("250-AUTH ")).findFirst().orElseThrow(() -> new AssertionError(ehlo));
        assertTrue(auth.contains(" PLAIN") && auth.contains(" LOGIN"), auth);
        assertFalse(auth.contains("ANONYMOUS"), "noanonymous is the default: " + auth);
        assertTrue(ehlo.contains("250-AUTH=" + auth.substring("250-AUTH ".length()) + "\n"), "broken_sasl_auth_clients: " + ehlo);
    }

    @Test
    void plainLoginLetsTheClientRelayAndIsLoggedAndRecorded() throws Exception {
        SmtpServer server = start(auth(dovecotServer(), false, true));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        c.cmd("MAIL FROM:<alice@example.org>");
        assertEquals("454 4.7.1 <x@elsewhere.example>: Relay access denied", c.cmd("RCPT TO:<x@elsewhere.example>"));
        assertEquals("503 5.5.1 Error: MAIL transaction in progress", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        c.cmd("RSET");
        assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        assertEquals("503 5.5.1 Error: already authenticated", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        c.cmd("MAIL FROM:<alice@example.org>");
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<x@elsewhere.example>"));
        c.cmd("DATA");
        String queued = c.cmd("Subject: relayed\r\n\r\nbody\r\n.");
        assertTrue(queued.startsWith("250 2.0.0 Ok: queued as "), queued);
        String qid = queued.substring("250 2.0.0 Ok: queued as ".length());
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        waitFor(() -> receiver.committed.size() == 1);
        SessionInfo info = receiver.committed.get(0).session();
        assertEquals("alice", info.saslUsername());
        assertEquals("ESMTPA", info.receivedProtocol());
        assertEquals(List.of("(Authenticated sender: alice)"), info.receivedComments());
        logs.await(l -> l.equals(qid + ": client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=alice"));
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1] ehlo=1 auth=1/3 "));
    }

    /**
     * smtpd_sender_restrictions = reject_sender_login_mismatch with smtpd_sender_login_maps:
     * alice may send as herself, not as bob; a client that did not log in may not use an owned
     * address. Postfix's replies and NOQUEUE log lines.
     */
    @Test
    void senderLoginMismatchIsRejectedAndLogged() throws Exception {
        SmtpdSettings base = auth(dovecotServer(), false, false);
        SmtpdSettings.Access a = base.access();
        SmtpdSettings s = base.with(new SmtpdSettings.Access(a.mynetworks(), a.mydestination(), a.relayDomains(),
                        a.parentDomainMatchesSubdomains(), a.smtpdClientRestrictions(), a.smtpdHeloRestrictions(),
                        List.of("reject_sender_login_mismatch"), a.smtpdRelayRestrictions(),
                        a.smtpdRecipientRestrictions(), a.smtpdDataRestrictions(), a.relayDomainsRejectCode(),
                        a.rejectCode(), a.deferCode(), a.nonFqdnRejectCode(), a.multiRecipientBounceRejectCode()))
                .with(new SmtpdSettings.AccessMaps(java.nio.file.Path.of(""), 554, 450, "<>", "+",
                        java.util.Map.of(), "inline:{alice@example.org=alice, bob@example.org=bob}", "example.org"));
        SmtpServer server = start(s);
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        c.cmd("MAIL FROM:<bob@example.org>");
        String notLoggedIn = "553 5.7.1 <bob@example.org>: Sender address rejected: not logged in";
        assertEquals(notLoggedIn, c.cmd("RCPT TO:<x@" + HOST + ">"));
        logs.await(l -> l.equals("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: " + notLoggedIn
                + "; from=<bob@example.org> to=<x@" + HOST + "> proto=ESMTP helo=<client.example>"));
        c.cmd("RSET");
        assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        c.cmd("MAIL FROM:<bob+tag@example.org>");
        String notOwned = "553 5.7.1 <bob+tag@example.org>: Sender address rejected: not owned by user alice";
        assertEquals(notOwned, c.cmd("RCPT TO:<x@elsewhere.example>"));
        logs.await(l -> l.equals("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: " + notOwned
                + "; from=<bob+tag@example.org> to=<x@elsewhere.example> proto=ESMTP helo=<client.example>"));
        c.cmd("RSET");
        c.cmd("MAIL FROM:<alice@example.org>");
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<x@elsewhere.example>"));
    }

    @Test
    void aWrongPasswordIs535WithTheServersReasonAndAWarning() throws Exception {
        SmtpServer server = start(auth(dovecotServer(), false, false));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        String r = c.cmd("AUTH PLAIN " + plain("alice", "wrong"));
        assertTrue(r.startsWith("535 5.7.8 Error: authentication failed: "), r);
        String reason = r.substring("535 5.7.8 Error: authentication failed: ".length());
        logs.await(l -> l.equals("warning: localhost[127.0.0.1]: SASL PLAIN authentication failed: " + reason));
        // the session goes on, and a later AUTH may succeed
        assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
    }

    @Test
    void loginTakesTwoChallengesAndStarCancels() throws Exception {
        SmtpServer server = start(auth(dovecotServer(), false, false));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
        assertEquals("334 UGFzc3dvcmQ6", c.cmd(b64("bob")));
        assertEquals("235 2.7.0 Authentication successful", c.cmd(b64("hunter2")));

        SmtpTestClient d = connect(server);
        d.reply();
        d.cmd("EHLO client.example");
        assertEquals("334 VXNlcm5hbWU6", d.cmd("AUTH LOGIN"));
        assertEquals("501 5.7.0 Authentication aborted", d.cmd("*"));
        logs.await(l -> l.equals("warning: localhost[127.0.0.1]: SASL LOGIN authentication aborted"));
        assertEquals("250 2.0.0 Ok", d.cmd("NOOP")); // back to commands
    }

    @Test
    void aResponseOverTheLimitEndsTheExchange() throws Exception {
        SmtpServer server = start(auth(dovecotServer(), false, false).with(new SmtpdSasl(true, dovecotServer(),
                SaslSecurityOptions.DEFAULT, SaslSecurityOptions.DEFAULT, false, false, "smtp", List.of(), 100)));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
        assertEquals("500 5.5.6 SASL response limit exceeded", c.cmd("x".repeat(101)));
        assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
    }

    @Test
    void aResponseLongerThanACommandLineIsStillOneResponse() throws Exception {
        SmtpServer server = start(auth(dovecotServer(), false, false)); // smtpd_sasl_response_limit 12288
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
        // longer than line_length_limit (2048): the 3,000 characters go to Dovecot as one answer,
        // which refuses so long a user name (not smtpd's "500 5.5.6 SASL response limit exceeded")
        String r = c.cmd("x".repeat(3000));
        assertTrue(r.startsWith("535 5.7.8 Error: authentication failed: "), r);
        assertTrue(logs.lines().stream().noneMatch(l -> l.contains("request longer than")), logs.lines().toString());
        // commands are held to line_length_limit again
        c.cmd("NOOP " + "y".repeat(3000));
        logs.await(l -> l.startsWith("warning: localhost[127.0.0.1]: request longer than 2048: NOOP yyy"));
    }

    @Test
    void syntaxAndDisabledAuth() throws Exception {
        SmtpServer off = start(defaults());
        SmtpTestClient c = connect(off);
        c.reply();
        assertFalse(c.cmd("EHLO client.example").contains("AUTH"));
        assertEquals("503 5.5.1 Error: authentication not enabled", c.cmd("AUTH PLAIN " + plain("alice", "secret")));

        SmtpServer on = start(auth(dovecotServer(), false, false));
        SmtpTestClient d = connect(on);
        d.reply();
        d.cmd("EHLO client.example");
        assertEquals("501 5.5.4 Syntax: AUTH mechanism", d.cmd("AUTH"));
        assertEquals("501 5.5.4 Syntax: AUTH mechanism", d.cmd("AUTH PLAIN a b"));
    }

    @Test
    void authOnlyWaitsForTlsAndThenRecordsEsmtpsa() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        var rsa = TestCertificates.rsa(keys, HOST);
        var context = ServerTlsContexts.build(ServerCredentials.fromChainFiles(List.of(rsa.combined())), List.of("TLSv1.3"));
        SmtpServer server = start(auth(dovecotServer(), false, false)
                .with(new SmtpdTls(true, false, false, true, false, 0, Duration.ofSeconds(10), context)));
        SmtpTestClient c = connect(server);
        c.reply();
        assertFalse(c.cmd("EHLO client.example").contains("AUTH"));
        assertEquals("503 5.5.1 Error: authentication not enabled", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        c.cmd("STARTTLS");
        c.startTls(TestCertificates.trustAll());
        assertTrue(c.cmd("EHLO client.example").contains("250-AUTH "));
        assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        c.cmd("MAIL FROM:<alice@example.org>");
        c.cmd("RCPT TO:<x@elsewhere.example>");
        c.cmd("DATA");
        assertTrue(c.cmd("x\r\n.").startsWith("250 "));
        waitFor(() -> receiver.committed.size() == 1);
        assertEquals("ESMTPSA", receiver.committed.get(0).session().receivedProtocol());
    }

    @Test
    void anUnreachableServerLeavesAuthOutAndAnswers454() throws Exception {
        SaslServer nowhere = DovecotSaslServer.create(tmp.resolve("no-such-socket").toString(), tmp, Duration.ofSeconds(5));
        SmtpServer server = start(auth(nowhere, false, false));
        SmtpTestClient c = connect(server);
        c.reply();
        assertFalse(c.cmd("EHLO client.example").contains("AUTH"));
        String r = c.cmd("AUTH PLAIN " + plain("alice", "secret"));
        assertTrue(r.startsWith("454 4.7.0 Temporary authentication failure: "), r);
    }

    @Test
    void pythonSmtplibLogsInOverStarttls() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")));
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        var rsa = TestCertificates.rsa(keys, HOST);
        var context = ServerTlsContexts.build(ServerCredentials.fromChainFiles(List.of(rsa.combined())), List.of("TLSv1.2", "TLSv1.3"));
        SmtpServer server = start(auth(dovecotServer(), false, true)
                .with(new SmtpdTls(true, true, false, true, false, 0, Duration.ofSeconds(10), context)));
        Path script = Files.writeString(tmp.resolve("auth.py"), String.join("\n",
                "import smtplib, ssl, sys",
                "ctx = ssl.create_default_context()",
                "ctx.check_hostname = False",
                "ctx.verify_mode = ssl.CERT_NONE",
                "with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), local_hostname='py.example') as s:",
                "    s.starttls(context=ctx)",
                "    try:",
                "        s.login('alice', 'wrong')",
                "        raise SystemExit('wrong password accepted')",
                "    except smtplib.SMTPAuthenticationError as e:",
                "        print('refused', e.smtp_code)",
                "    s.login('alice', 'secret')",
                "    s.sendmail('alice@example.org', ['x@elsewhere.example'], b'Subject: auth\\r\\n\\r\\nbody\\r\\n')",
                "print('sent')",
                ""));
        Run r = run(List.of("/usr/bin/python3", script.toString(), "127.0.0.1",
                String.valueOf(server.boundAddress().getPort())));
        String out = r.output();
        assertEquals(0, r.exit(), out);
        assertEquals("refused 535\nsent", out.strip());
        waitFor(() -> receiver.committed.size() == 1);
        SessionInfo info = receiver.committed.get(0).session();
        assertEquals("ESMTPSA", info.receivedProtocol());
        assertEquals(List.of("(Authenticated sender: alice)"), info.receivedComments());
    }
}
