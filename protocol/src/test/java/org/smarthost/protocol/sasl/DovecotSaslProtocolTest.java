package org.smarthost.protocol.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smarthost.protocol.sasl.DovecotSaslServerTest.await;
import static org.smarthost.protocol.sasl.DovecotSaslServerTest.b64;
import static org.smarthost.protocol.sasl.DovecotSaslServerTest.first;
import static org.smarthost.protocol.sasl.DovecotSaslServerTest.request;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@link DovecotSaslServer}'s side of the protocol where a real Dovecot cannot be made to misbehave:
 * against {@link ScriptedAuthServer}, with a short time limit.
 */
class DovecotSaslProtocolTest {

    /** For the tests of the timeouts themselves. */
    private static final Duration SHORT = Duration.ofMillis(300);
    /** Every other test: long enough for a loaded machine and a cold JIT (300 ms was not, in CI-like runs). */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Path QUEUE = Path.of("/var/spool/postfix");

    private static DovecotSaslServer client(ScriptedAuthServer server) {
        return client(server, TIMEOUT);
    }

    private static DovecotSaslServer client(ScriptedAuthServer server, Duration timeout) {
        return DovecotSaslServer.create(server.path(), QUEUE, timeout);
    }

    private static void drain(ScriptedAuthServer.Conversation c) throws Exception {
        while (c.read() != null) {
            // until the client closes
        }
    }

    @Test void sendsVersionAndPidThenAuthWithTheRequestsFields() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.handshake("MECH\tPLAIN\tplaintext");
                 c.read();
                 c.send("OK\t1\tuser=alice");
                 drain(c);
             });
             DovecotSaslServer sasl = client(server)) {
            SaslRequest request = new SaslRequest("plain", "smtp\tx", new InetSocketAddress("::1", 587),
                    new InetSocketAddress("2001:db8::7", 50000), false, SaslSecurityOptions.DEFAULT, "AGFsaWNlAHNlY3JldA==");
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(request), request));
            assertEquals("VERSION\t1\t1", server.nextReceived());
            assertEquals("CPID\t" + ProcessHandle.current().pid(), server.nextReceived());
            assertEquals("AUTH\t1\tPLAIN\tservice=smtp\u0001tx\tnologin\tlip=0:0:0:0:0:0:0:1\tlport=587"
                    + "\trip=2001:db8:0:0:0:0:0:7\trport=50000\tresp=AGFsaWNlAHNlY3JldA==", server.nextReceived());
        }
    }

    @Test void privateMechanismsAndUnknownPropertiesAreHandledAsPostfixDoes() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.handshake("MECH\tPLAIN\tplaintext", "MECH\tDOVECOT-TOKEN\tprivate", "MECH\tX-NEW\tshiny\tmutual-auth",
                         "MECH\tEXTERNAL", "MECH");
                 drain(c);
             });
             DovecotSaslServer sasl = client(server)) {
            assertEquals(List.of("PLAIN", "X-NEW", "EXTERNAL"), await(sasl.mechanisms(SaslSecurityOptions.NONE)));
            assertEquals(List.of("X-NEW"), await(sasl.mechanisms(SaslSecurityOptions.parse("mutual_auth"))));
            SaslRequest token = new SaslRequest("DOVECOT-TOKEN", "smtp", null, null, false, SaslSecurityOptions.NONE, null);
            assertEquals(new SaslStep.Fail("Invalid authentication mechanism: 'DOVECOT-TOKEN'"), first(sasl.begin(token), token));
        }
    }

    @Test void aSilentServerTimesOutTheHandshake() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(DovecotSaslProtocolTest::drain);
             LogLines log = new LogLines();
             DovecotSaslServer sasl = client(server, SHORT)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(SaslSecurityOptions.NONE)));
            assertEquals("Timed out in handshake with Dovecot auth socket '" + server.path() + "'", e.getCause().getMessage());
            assertEquals(List.of("warning: SASL: Timed out in handshake with Dovecot auth socket '" + server.path() + "'"),
                    log.lines());
        }
    }

    @Test void anotherMajorVersionIsRefused() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.send("VERSION\t2\t0", "MECH\tPLAIN", "DONE");
                 drain(c);
             });
             LogLines log = new LogLines();
             DovecotSaslServer sasl = client(server)) {
            SaslRequest request = request("PLAIN", b64("\0alice\0secret"));
            SaslStep step = first(sasl.begin(request), request);
            // as in Postfix, a failed handshake is "Can't connect" to the client, and the log says why
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.CANT_CONNECT), step);
            assertEquals(List.of("warning: SASL: Protocol version mismatch (2 vs. 1)"), log.lines());
        }
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.send("VERSION\tone\ttwo");
                 drain(c);
             });
             LogLines log = new LogLines();
             DovecotSaslServer sasl = client(server)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(SaslSecurityOptions.NONE)));
            assertInstanceOf(SaslUnavailableException.class, e.getCause());
            assertEquals(List.of("warning: SASL: Protocol version error"), log.lines());
        }
    }

    @Test void aServerThatHangsUpInTheHandshakeIsReported() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> c.send("VERSION\t1\t2", "MECH\tPLAIN"));
             LogLines log = new LogLines();
             DovecotSaslServer sasl = client(server)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(SaslSecurityOptions.NONE)));
            String reason = "Connection lost to Dovecot auth socket '" + server.path() + "' during handshake";
            assertEquals(reason, e.getCause().getMessage());
            assertEquals(List.of("warning: SASL: " + reason), log.lines());
        }
    }

    @Test void aStepWithoutReplyTimesOutAndIsCancelledOnTheServer() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.handshake("MECH\tPLAIN\tplaintext");
                 drain(c);
             });
             LogLines log = new LogLines();
             DovecotSaslServer sasl = client(server, SHORT)) {
            SaslRequest request = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.TIMED_OUT), first(sasl.begin(request), request));
            server.nextReceived();
            server.nextReceived();
            assertTrue(server.nextReceived().startsWith("AUTH\t1\tPLAIN\t"));
            assertEquals("CANCEL\t1", server.nextReceived());
            assertEquals(List.of("warning: SASL: timeout waiting for a reply from Dovecot auth socket '" + server.path() + "'"),
                    log.lines());
        }
    }

    @Test void repliesMissingTheirFieldsAreBackendErrors() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.handshake("MECH\tPLAIN\tplaintext", "MECH\tLOGIN\tplaintext");
                 c.read();
                 c.send("OK\t1\tnologin");
                 c.read();
                 c.send("CONT\t2");
                 drain(c);
             });
             LogLines log = new LogLines();
             DovecotSaslServer sasl = client(server)) {
            SaslRequest plain = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.Fail("Authentication backend error"), first(sasl.begin(plain), plain));
            SaslRequest login = request("LOGIN", null);
            assertEquals(new SaslStep.Fail("Authentication backend error"), first(sasl.begin(login), login));
            assertEquals(List.of("warning: missing Dovecot server OK username field",
                    "warning: missing Dovecot server CONT reply field"), log.lines());
            for (int i = 0; i < 4; i++) server.nextReceived();
            assertEquals("CANCEL\t2", server.nextReceived());
        }
    }

    @Test void failFieldsAreUnescapedAndMadePrintableAndTempMarksATemporaryFailure() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.handshake("MECH\tPLAIN\tplaintext");
                 c.read();
                 c.send("FAIL\t1\tuser=al\u0001tice\treason=Password\u0001nexpired\u00011\tcode=pass_expired");
                 c.read();
                 c.send("FAIL\t2\tuser=bob\ttemp\treason=Backend down");
                 c.read();
                 c.send("OK\t99\tuser=mallory", "FAIL\t3\tuser=carol\tcode=temp_fail");
                 drain(c);
             });
             DovecotSaslServer sasl = client(server)) {
            SaslRequest request = request("PLAIN", b64("\0u\0p"));
            assertEquals(new SaslStep.Fail("Password?expired?", "al?ice"), first(sasl.begin(request), request));
            assertEquals(new SaslStep.TempFail("Backend down", "bob"), first(sasl.begin(request), request));
            // a reply to an id we did not send is ignored
            assertEquals(new SaslStep.TempFail("", "carol"), first(sasl.begin(request), request));
        }
    }

    @Test void anInitialResponseOfEqualsSignIsSentAsIs() throws Exception {
        try (ScriptedAuthServer server = new ScriptedAuthServer(c -> {
                 c.handshake("MECH\tPLAIN\tplaintext");
                 c.read();
                 c.send("CONT\t1\t");
                 c.read();
                 c.send("OK\t1\tuser=alice");
                 drain(c);
             });
             DovecotSaslServer sasl = client(server)) {
            SaslRequest request = request("PLAIN", "=");
            SaslExchange exchange = sasl.begin(request);
            assertEquals(new SaslStep.Challenge(""), first(exchange, request));
            assertEquals(new SaslStep.Ok("alice"), DovecotSaslServerTest.await(exchange.step(b64("\0alice\0secret"))));
            server.nextReceived();
            server.nextReceived();
            assertTrue(server.nextReceived().endsWith("\tresp=="));
            assertEquals("CONT\t1\tAGFsaWNlAHNlY3JldA==", server.nextReceived());
            assertNull(server.received.poll());
        }
    }

    @Test void smtpdSaslPathSyntax() {
        Path queue = Path.of("/var/spool/postfix");
        assertEquals(java.net.UnixDomainSocketAddress.of("/var/spool/postfix/private/auth"),
                DovecotSaslServer.socketAddress("private/auth", queue));
        assertEquals(java.net.UnixDomainSocketAddress.of("/var/spool/postfix/private/auth"),
                DovecotSaslServer.socketAddress("unix:private/auth", queue));
        assertEquals(java.net.UnixDomainSocketAddress.of("/run/dovecot/auth-client"),
                DovecotSaslServer.socketAddress("unix:/run/dovecot/auth-client", queue));
        assertEquals(new InetSocketAddress("127.0.0.1", 12345), DovecotSaslServer.socketAddress("inet:127.0.0.1:12345", queue));
        assertEquals(new InetSocketAddress("::1", 12345), DovecotSaslServer.socketAddress("inet:[::1]:12345", queue));
        assertEquals(InetSocketAddress.createUnresolved("auth.example", 12345),
                DovecotSaslServer.socketAddress("inet:auth.example:12345", queue));
        assertEquals(InetSocketAddress.createUnresolved("localhost", 12345), DovecotSaslServer.socketAddress("inet:12345", queue));
        for (String bad : List.of("inet:host:", "inet:host:smtp", "inet:host:70000", "inet:[::1", "", "unix:")) {
            assertThrows(IllegalArgumentException.class, () -> DovecotSaslServer.socketAddress(bad, queue), bad);
        }
    }

    @Test void anUnresolvableHostIsAConnectFailure() throws Exception {
        try (LogLines log = new LogLines();
             DovecotSaslServer sasl = DovecotSaslServer.create("inet:no-such-host.invalid:12345", QUEUE, Duration.ofSeconds(5))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(SaslSecurityOptions.NONE)));
            assertEquals("Connect to Dovecot auth socket 'inet:no-such-host.invalid:12345' failed: Host not found: no-such-host.invalid",
                    e.getCause().getMessage());
            assertEquals(List.of("warning: SASL: " + e.getCause().getMessage()), log.lines());
        }
    }
}
