package org.smarthost.protocol.smtpd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.protocol.tls.ServerCredentials;
import org.smarthost.protocol.tls.ServerTlsContexts;
import org.smarthost.protocol.tls.TestCertificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STARTTLS (RFC 3207) and wrapper mode, over real sockets with the JDK's TLS client. */
class SmtpdTlsTest extends SmtpdTestSupport {

    private io.netty.handler.ssl.SslContext serverContext;
    private SSLContext client;

    @BeforeEach
    void keys() throws Exception {
        Path dir = tmp.resolve("keys");
        java.nio.file.Files.createDirectories(dir);
        var rsa = TestCertificates.rsa(dir, HOST);
        serverContext = ServerTlsContexts.build(ServerCredentials.fromChainFiles(List.of(rsa.combined())),
                List.of("TLSv1.2", "TLSv1.3"));
        client = TestCertificates.trustAll();
    }

    private SmtpdSettings tls(boolean enforce, boolean wrapper, boolean receivedHeader, int loglevel) {
        return defaults().with(new SmtpdTls(true, enforce || wrapper, wrapper, enforce || wrapper, receivedHeader,
                loglevel, Duration.ofSeconds(10), serverContext));
    }

    @Test
    void starttlsIsOfferedAndAnsweredThenNotOfferedAgain() throws Exception {
        SmtpServer server = start(tls(false, false, false, 0));
        SmtpTestClient c = connect(server);
        c.reply();
        String ehlo = c.cmd("EHLO client.example");
        assertTrue(ehlo.contains("250-ETRN\n250-STARTTLS\n250-ENHANCEDSTATUSCODES"), ehlo);
        assertEquals("501 5.5.4 Syntax: STARTTLS", c.cmd("STARTTLS now"));
        assertEquals("220 2.0.0 Ready to start TLS", c.cmd("STARTTLS"));
        var session = c.startTls(client);
        assertEquals("TLSv1.3", session.getProtocol());
        String again = c.cmd("EHLO client.example");
        assertTrue(again.startsWith("250-" + HOST), again);
        assertFalse(again.contains("STARTTLS"), again);
        assertEquals("554 5.5.1 Error: TLS already active", c.cmd("STARTTLS"));
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
    }

    @Test
    void mailOverTlsIsReceivedAsEsmtpsWithTheCipherInReceived() throws Exception {
        SmtpServer server = start(tls(false, false, true, 1));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        c.cmd("STARTTLS");
        var session = c.startTls(client);
        c.cmd("EHLO client.example");
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@" + HOST + ">"));
        assertTrue(c.cmd("DATA").startsWith("354"));
        assertTrue(c.cmd("Subject: hi\r\n\r\nover TLS\r\n.").startsWith("250 2.0.0 Ok: queued as "));
        c.cmd("QUIT");
        waitFor(() -> receiver.committed.size() == 1);
        SessionInfo info = receiver.committed.get(0).session();
        assertEquals("ESMTP", info.protocol()); // what Postfix logs and keeps as protocol_name
        assertEquals("ESMTPS", info.receivedProtocol());
        String summary = "TLSv1.3 with cipher " + session.getCipherSuite() + " ("
                + (session.getCipherSuite().contains("128") ? "128/128" : "256/256") + " bits)";
        assertEquals(List.of("(using " + summary + ")", "(No client certificate requested)"), info.receivedComments());
        logs.await(l -> l.equals("Anonymous TLS connection established from localhost[127.0.0.1]: " + summary));
    }

    @Test
    void withoutTheReceivedHeaderSettingOnlyTheProtocolShowsTls() throws Exception {
        SmtpServer server = start(tls(false, false, false, 0));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        c.cmd("STARTTLS");
        c.startTls(client);
        c.cmd("EHLO client.example");
        c.cmd("MAIL FROM:<a@example.org>");
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@" + HOST + ">"));
        c.cmd("DATA");
        assertTrue(c.cmd("x\r\n.").startsWith("250 "));
        waitFor(() -> receiver.committed.size() == 1);
        assertEquals("ESMTPS", receiver.committed.get(0).session().receivedProtocol());
        assertEquals(List.of(), receiver.committed.get(0).session().receivedComments());
        assertFalse(logs.lines().stream().anyMatch(l -> l.contains("TLS connection established")), "loglevel 0 logs none");
    }

    @Test
    void plaintextPipelinedAfterStarttlsIsDiscarded() throws Exception {
        SmtpServer server = start(tls(false, false, false, 0));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        // CVE-2011-0411: a man in the middle appends a command to the plaintext STARTTLS
        c.send("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
        assertEquals("220 2.0.0 Ready to start TLS", c.reply());
        c.startTls(client);
        c.cmd("EHLO client.example");
        // Had the injected MAIL been run, this would be "503 5.5.1 Error: nested MAIL command".
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<real@example.org>"));
    }

    @Test
    void encryptLevelRequiresStarttlsBeforeMail() throws Exception {
        SmtpServer server = start(tls(true, false, false, 0));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.cmd("VRFY postmaster"));
        assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        c.cmd("STARTTLS");
        c.startTls(client);
        c.cmd("EHLO client.example");
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
    }

    @Test
    void starttlsStartsAFreshSession() throws Exception {
        SmtpServer server = start(defaults().with(new SmtpdTls(true, false, false, false, false, 0,
                Duration.ofSeconds(10), serverContext)).with(withEnvelopeChecks(defaults(), true, false).checks()));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        c.cmd("MAIL FROM:<a@example.org>");
        c.cmd("STARTTLS");
        c.startTls(client);
        // HELO and the transaction are forgotten: smtpd_helo_required asks for them again
        assertEquals("503 5.5.1 Error: send HELO/EHLO first", c.cmd("MAIL FROM:<a@example.org>"));
    }

    @Test
    void withoutUsableKeysStarttlsIsATemporaryFailure() throws Exception {
        SmtpServer server = start(defaults().with(new SmtpdTls(true, false, false, false, false, 0,
                Duration.ofSeconds(10), null)));
        SmtpTestClient c = connect(server);
        c.reply();
        assertTrue(c.cmd("EHLO client.example").contains("250-STARTTLS"));
        assertEquals("454 4.7.0 TLS not available due to local problem", c.cmd("STARTTLS"));
    }

    @Test
    void notOfferedMeansNotImplemented() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = connect(server);
        c.reply();
        assertFalse(c.cmd("EHLO client.example").contains("STARTTLS"));
        assertEquals("502 5.5.1 Error: command not implemented", c.cmd("STARTTLS"));
    }

    @Test
    void aFailedHandshakeEndsTheSession() throws Exception {
        SmtpServer server = start(tls(false, false, false, 0));
        SmtpTestClient c = connect(server);
        c.reply();
        c.cmd("EHLO client.example");
        c.cmd("STARTTLS");
        c.send("this is not a TLS record\r\n");
        boolean closed = false;
        for (int i = 0; i < 100 && !closed; i++) closed = c.closedByServer(); // after a TLS alert or two
        assertTrue(closed);
        logs.await(l -> l.equals("lost connection after STARTTLS from localhost[127.0.0.1]"));
        assertTrue(logs.lines().contains("SSL_accept error from localhost[127.0.0.1]: -1"), logs.lines().toString());
        assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("warning: TLS library problem: not an SSL/TLS record")),
                logs.lines().toString());
        assertFalse(logs.lines().stream().anyMatch(l -> l.contains("unexpected error")), logs.lines().toString());
    }

    @Test
    void wrapperModeSpeaksTlsFromTheFirstByte() throws Exception {
        SmtpServer server = start(tls(false, true, false, 1));
        SmtpTestClient c = connect(server);
        c.startTls(client);
        assertEquals("220 " + HOST + " ESMTP Postfix", c.reply());
        String ehlo = c.cmd("EHLO client.example");
        assertFalse(ehlo.contains("STARTTLS"), ehlo);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
    }

    @Test
    void wrapperModeWithoutKeysDropsTheConnection() throws Exception {
        SmtpServer server = start(defaults().with(new SmtpdTls(true, true, true, true, false, 0,
                Duration.ofSeconds(10), null)));
        SmtpTestClient c = connect(server);
        assertNull(c.reply());
        logs.await(l -> l.equals("warning: Wrapper-mode request dropped from localhost[127.0.0.1] for service smtp."
                + " TLS context initialization failed. For details see earlier warnings in your logs."));
    }

    @Test
    void pythonSmtplibSendsOverStarttls() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")));
        SmtpServer server = start(tls(true, false, true, 1));
        Path script = java.nio.file.Files.writeString(tmp.resolve("tls.py"), String.join("\n",
                "import smtplib, ssl, sys",
                "ctx = ssl.create_default_context()",
                "ctx.check_hostname = False",
                "ctx.verify_mode = ssl.CERT_NONE",
                "with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), local_hostname='py.example') as s:",
                "    s.ehlo()",
                "    assert s.has_extn('starttls')",
                "    code, _ = s.starttls(context=ctx)",
                "    assert code == 220, code",
                "    s.ehlo()",
                "    assert not s.has_extn('starttls')",
                "    s.sendmail('alice@example.org', ['bob@" + HOST + "'], b'Subject: tls\\r\\n\\r\\nbody\\r\\n')",
                "    print(s.sock.version(), s.sock.cipher()[0])",
                ""));
        Run r = run(List.of("/usr/bin/python3", script.toString(), "127.0.0.1",
                String.valueOf(server.boundAddress().getPort())));
        String out = r.output();
        assertEquals(0, r.exit(), out);
        String[] versionAndCipher = out.strip().split(" ");
        waitFor(() -> receiver.committed.size() == 1);
        SessionInfo info = receiver.committed.get(0).session();
        assertEquals("ESMTPS", info.receivedProtocol());
        assertTrue(info.receivedComments().get(0).startsWith("(using " + versionAndCipher[0] + " with cipher "
                + versionAndCipher[1] + " ("), info.receivedComments().toString());
        assertEquals("py.example", info.heloName());
    }
}
