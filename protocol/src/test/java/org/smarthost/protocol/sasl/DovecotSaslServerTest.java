package org.smarthost.protocol.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DovecotSaslServer} against a real Dovecot auth server ({@link DovecotAuth}). */
class DovecotSaslServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 25);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.7", 40000);
    private static final SaslSecurityOptions OPTIONS = SaslSecurityOptions.DEFAULT;

    @TempDir static Path dir;
    private static DovecotAuth dovecot;

    @BeforeAll static void startDovecot() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DovecotAuth.BINARY), "dovecot-core is not installed");
        dovecot = DovecotAuth.start(dir, false);
    }

    @AfterAll static void stopDovecot() {
        if (dovecot != null) dovecot.close();
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static SaslRequest request(String mechanism, String initialResponse) {
        return new SaslRequest(mechanism, "smtp", LOCAL, REMOTE, false, OPTIONS, initialResponse);
    }

    static SaslStep first(SaslExchange exchange, SaslRequest request) throws Exception {
        return await(exchange.step(request.initialResponse()));
    }

    private static DovecotSaslServer server(String path) {
        return DovecotSaslServer.create(path, dovecot.dir, TIMEOUT);
    }

    @Test void offersTheServersMechanismsInItsOrderFilteredBySecurityOptions() throws Exception {
        try (DovecotSaslServer sasl = server("unix:" + dovecot.socket)) {
            assertEquals(List.of("PLAIN", "LOGIN", "ANONYMOUS", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1"),
                    await(sasl.mechanisms(SaslSecurityOptions.NONE)));
            assertEquals(List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1"),
                    await(sasl.mechanisms(SaslSecurityOptions.parse("noanonymous"))));
            assertEquals(List.of("CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1"),
                    await(sasl.mechanisms(SaslSecurityOptions.parse("noplaintext, noanonymous"))));
            assertEquals(List.of("PLAIN", "LOGIN", "ANONYMOUS", "SCRAM-SHA-1"),
                    await(sasl.mechanisms(SaslSecurityOptions.parse("noactive nodictionary"))));
            assertEquals(List.of("DIGEST-MD5", "SCRAM-SHA-1"), await(sasl.mechanisms(SaslSecurityOptions.parse("mutual_auth"))));
            assertEquals(List.of(), await(sasl.mechanisms(SaslSecurityOptions.parse("forward_secrecy"))));
            assertEquals(1, sasl.connectionsOpened());
        }
    }

    @Test void plainWithInitialResponseOverTheUnixSocketGivesTheUsername() throws Exception {
        try (DovecotSaslServer sasl = server("unix:" + dovecot.socket)) {
            SaslRequest request = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(request), request));
        }
    }

    @Test void inetHostPortAndPathsRelativeToTheQueueDirectory() throws Exception {
        SaslRequest request = request("plain", b64("\0bob\0hunter2"));
        for (String path : List.of("inet:127.0.0.1:" + dovecot.port, "inet:localhost:" + dovecot.port, "auth",
                "unix:auth", dovecot.socket.toString())) {
            try (DovecotSaslServer sasl = server(path)) {
                assertEquals(new SaslStep.Ok("bob"), first(sasl.begin(request), request), path);
            }
        }
    }

    @Test void sendsTheClientAndServerAddressesAndTheTlsState() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest request = new SaslRequest("PLAIN", "smtp", LOCAL, REMOTE, true, OPTIONS, b64("\0alice\0secret"));
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(request), request));
        }
        // auth_debug logs the request ("client in: AUTH ... resp=<hidden>"), through Dovecot's log
        // process, so a moment later
        String expected = "PLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\tlport=25\trip=192.0.2.7\trport=40000\tsecured\tresp=<hidden>";
        String log = awaitLog(expected, 0);
        assertTrue(log.contains(expected), log);
    }

    @Test void wrongPasswordFailsWithTheUserDovecotLookedUp() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            // all at once: Dovecot answers a failure only after half a second
            SaslRequest request = request("PLAIN", b64("\0alice\0wrong"));
            CompletionStage<SaslStep> wrong = sasl.begin(request).step(request.initialResponse());
            SaslRequest unknown = request("PLAIN", b64("\0mallory\0x"));
            CompletionStage<SaslStep> nobody = sasl.begin(unknown).step(unknown.initialResponse());
            SaslRequest empty = request("PLAIN", "=");
            CompletionStage<SaslStep> nothing = sasl.begin(empty).step(empty.initialResponse());
            // Dovecot gives no reason for a wrong password; smtpd then says "(reason unavailable)" as Postfix does.
            assertEquals(new SaslStep.Fail("", "alice"), await(wrong));
            assertEquals(new SaslStep.Fail("", "mallory"), await(nobody));
            // an empty PLAIN response: Dovecot logs "invalid input" and names no user
            assertEquals(new SaslStep.Fail("", null), await(nothing));
        }
    }

    @Test void dovecotsTemporaryFailureIsATempFail() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest request = request("PLAIN", b64("\0tempfail\0x"));
            assertEquals(new SaslStep.TempFail("", "tempfail"), first(sasl.begin(request), request));
        }
    }

    @Test void loginTakesTwoChallenges() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest request = request("LOGIN", null);
            SaslExchange exchange = sasl.begin(request);
            assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), first(exchange, request)); // "Username:"
            assertEquals(new SaslStep.Challenge("UGFzc3dvcmQ6"), await(exchange.step(b64("bob")))); // "Password:"
            assertEquals(new SaslStep.Ok("bob"), await(exchange.step(b64("hunter2"))));
            ExecutionException after = assertThrows(ExecutionException.class, () -> await(exchange.step(b64("again"))));
            assertInstanceOf(IllegalStateException.class, after.getCause());
        }
    }

    @Test void plainWithoutInitialResponseGetsAnEmptyChallenge() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest request = request("PLAIN", null);
            SaslExchange exchange = sasl.begin(request);
            assertEquals(new SaslStep.Challenge(""), first(exchange, request));
            assertEquals(new SaslStep.Fail("", "alice"), await(exchange.step(b64("\0alice\0nope"))));
        }
    }

    @Test void cramMd5ChallengeIsAnsweredWithTheDigest() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest request = request("CRAM-MD5", null);
            SaslExchange exchange = sasl.begin(request);
            SaslStep.Challenge challenge = (SaslStep.Challenge) first(exchange, request);
            byte[] nonce = Base64.getDecoder().decode(challenge.base64());
            assertTrue(new String(nonce, StandardCharsets.US_ASCII).matches("<.+@.+>"), challenge.toString());
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec("secret".getBytes(StandardCharsets.US_ASCII), "HmacMD5"));
            StringBuilder hex = new StringBuilder();
            for (byte b : mac.doFinal(nonce)) hex.append(String.format("%02x", b));
            assertEquals(new SaslStep.Ok("alice"), await(exchange.step(b64("alice " + hex))));
        }
    }

    @Test void mechanismsTheOptionsExcludeOrTheServerLacksAreRefusedWithoutAskingIt() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest excluded = new SaslRequest("PLAIN", "smtp", LOCAL, REMOTE, false,
                    SaslSecurityOptions.parse("noplaintext, noanonymous"), b64("\0alice\0secret"));
            assertEquals(new SaslStep.Fail("Invalid authentication mechanism: 'PLAIN'"), first(sasl.begin(excluded), excluded));
            SaslRequest anonymous = request("ANONYMOUS", b64("me"));
            assertEquals(new SaslStep.Fail("Invalid authentication mechanism: 'ANONYMOUS'"), first(sasl.begin(anonymous), anonymous));
            SaslRequest unknown = request("X-UNKNOWN\t", null);
            assertEquals(new SaslStep.Fail("Invalid authentication mechanism: 'X-UNKNOWN?'"), first(sasl.begin(unknown), unknown));
            // Dovecot drops a client that asks for a mechanism it lacks; the connection is still the first one.
            SaslRequest plain = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(plain), plain));
            assertEquals(1, sasl.connectionsOpened());
        }
    }

    @Test void badBase64AndCancelEndTheExchangeButNotTheConnection() throws Exception {
        int from = dovecot.log().length(); // one Dovecot serves the class: this test's part of its log only
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest bad = request("PLAIN", "AGFsaWNl\tAHNlY3JldA==");
            assertEquals(new SaslStep.Fail("Invalid base64 data in initial response"), first(sasl.begin(bad), bad));

            SaslRequest login = request("LOGIN", null);
            SaslExchange badNext = sasl.begin(login);
            assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), first(badNext, login));
            assertEquals(new SaslStep.Fail("Invalid base64 data in continued response"), await(badNext.step("a b")));

            SaslExchange cancelled = sasl.begin(login);
            assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), first(cancelled, login));
            assertEquals(new SaslStep.Fail("Authentication aborted"), await(cancelled.step("*")));

            SaslExchange aborted = sasl.begin(login);
            assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), first(aborted, login));
            aborted.abort();
            ExecutionException after = assertThrows(ExecutionException.class, () -> await(aborted.step(b64("bob"))));
            assertInstanceOf(IllegalStateException.class, after.getCause());

            SaslRequest plain = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(plain), plain));
            assertEquals(1, sasl.connectionsOpened());
        }
        // the last request's answer is logged after every CANCEL before it
        String log = awaitLog("client passdb out: OK", from);
        assertTrue(log.contains("client passdb out: OK"), log);
        assertFalse(log.contains("BUG"), log);
    }

    /** Dovecot's log from offset {@code from}, once it contains {@code text} (at most 10 s). */
    private static String awaitLog(String text, int from) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String log = dovecot.log().substring(from);
        while (!log.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            log = dovecot.log().substring(from);
        }
        return log;
    }

    @Test void aStepWhileOneIsOutstandingIsRefused() throws Exception {
        try (DovecotSaslServer sasl = server(dovecot.socket.toString())) {
            SaslRequest request = request("PLAIN", b64("\0alice\0secret"));
            SaslExchange exchange = sasl.begin(request);
            CompletionStage<SaslStep> firstStep = exchange.step(request.initialResponse());
            ExecutionException second = assertThrows(ExecutionException.class, () -> await(exchange.step(b64("x"))));
            assertInstanceOf(IllegalStateException.class, second.getCause());
            assertEquals(new SaslStep.Ok("alice"), await(firstStep));
        }
    }

    @Test void concurrentExchangesShareOneConnection() throws Exception {
        try (DovecotSaslServer sasl = server("inet:127.0.0.1:" + dovecot.port)) {
            List<CompletableFuture<SaslStep>> plain = new ArrayList<>();
            List<SaslExchange> logins = new ArrayList<>();
            List<CompletableFuture<SaslStep>> loginFirst = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                String password = i % 3 == 0 ? "wrong" : i % 2 == 0 ? "secret" : "hunter2";
                SaslRequest request = request("PLAIN", b64("\0" + user + "\0" + password));
                plain.add(sasl.begin(request).step(request.initialResponse()).toCompletableFuture());
                SaslExchange login = sasl.begin(request("LOGIN", null));
                logins.add(login);
                loginFirst.add(login.step(null).toCompletableFuture());
            }
            for (int i = 0; i < 60; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                SaslStep expected = i % 3 == 0 ? new SaslStep.Fail("", user) : new SaslStep.Ok(user);
                assertEquals(expected, await(plain.get(i)), "exchange " + i);
                assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), await(loginFirst.get(i)));
            }
            // answer the LOGIN challenges in reverse order
            List<CompletableFuture<SaslStep>> usernames = new ArrayList<>();
            for (int i = 59; i >= 0; i--) usernames.add(0, logins.get(i).step(b64(i % 2 == 0 ? "alice" : "bob")).toCompletableFuture());
            for (CompletableFuture<SaslStep> u : usernames) assertEquals(new SaslStep.Challenge("UGFzc3dvcmQ6"), await(u));
            List<CompletableFuture<SaslStep>> passwords = new ArrayList<>();
            for (int i = 0; i < 60; i++) passwords.add(logins.get(i).step(b64(i % 2 == 0 ? "secret" : "hunter2")).toCompletableFuture());
            for (int i = 0; i < 60; i++) assertEquals(new SaslStep.Ok(i % 2 == 0 ? "alice" : "bob"), await(passwords.get(i)));
            assertEquals(1, sasl.connectionsOpened());
        }
    }

    @Test void aServerThatIsNotRunningFailsMechanismsAndTempFailsSteps() throws Exception {
        Path missing = dir.resolve("no-such-socket");
        try (LogLines log = new LogLines();
             DovecotSaslServer sasl = server(missing.toString())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(OPTIONS)));
            assertInstanceOf(SaslUnavailableException.class, e.getCause());
            String reason = "Connect to Dovecot auth socket '" + missing + "' failed: No such file or directory";
            assertEquals(reason, e.getCause().getMessage());
            assertTrue(log.lines().contains("warning: SASL: " + reason), log.lines().toString());
            SaslRequest request = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.CANT_CONNECT), first(sasl.begin(request), request));
            assertEquals(2, sasl.connectionsOpened()); // a failed connect is tried again on next use
        }
        int closedPort = DovecotAuth.freePort();
        try (LogLines log = new LogLines();
             DovecotSaslServer sasl = server("inet:127.0.0.1:" + closedPort)) {
            SaslRequest request = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.CANT_CONNECT), first(sasl.begin(request), request));
            assertTrue(log.lines().contains("warning: SASL: Connect to Dovecot auth socket 'inet:127.0.0.1:" + closedPort
                    + "' failed: Connection refused"), log.lines().toString());
        }
    }

    @Test void aSocketThatIsNotTheClientOneIsRecognised() throws Exception {
        try (LogLines log = new LogLines();
             DovecotSaslServer sasl = server(dovecot.userdbSocket.toString())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(OPTIONS)));
            assertEquals("Connected to wrong auth socket '" + dovecot.userdbSocket + "' (auth-master instead of auth-client)",
                    e.getCause().getMessage());
            assertTrue(log.lines().contains("warning: SASL: Connected to wrong auth socket (auth-master instead of auth-client)"),
                    log.lines().toString());
        }
    }

    @Test void closedServerTempFails() throws Exception {
        DovecotSaslServer sasl = server(dovecot.socket.toString());
        SaslRequest login = request("LOGIN", null);
        SaslExchange exchange = sasl.begin(login);
        assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), first(exchange, login));
        sasl.close();
        assertEquals(new SaslStep.TempFail(DovecotSaslServer.CLOSED), await(exchange.step(b64("bob"))));
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(sasl.mechanisms(OPTIONS)));
        assertEquals(DovecotSaslServer.CLOSED, e.getCause().getMessage());
    }

    @Test void aLostConnectionTempFailsWaitingExchangesAndTheNextUseReconnects(@TempDir Path own) throws Exception {
        try (DovecotAuth restarted = DovecotAuth.start(own, false);
             LogLines log = new LogLines();
             DovecotSaslServer sasl = DovecotSaslServer.create(restarted.socket.toString(), own, TIMEOUT)) {
            // the auth process dies: an exchange between challenges, and one waiting for a reply
            // (user "slow" takes Dovecot 30 seconds)
            SaslRequest login = request("LOGIN", null);
            SaslExchange challenged = sasl.begin(login);
            assertEquals(new SaslStep.Challenge("VXNlcm5hbWU6"), first(challenged, login));
            SaslRequest slow = request("PLAIN", b64("\0slow\0x"));
            CompletionStage<SaslStep> waiting = sasl.begin(slow).step(slow.initialResponse());
            restarted.awaitProcess("slow.sh");
            restarted.killAuthProcess();
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.LOST), await(waiting));
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.LOST), await(challenged.step(b64("alice"))));
            SaslRequest plain = request("PLAIN", b64("\0alice\0secret"));
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(plain), plain)); // a new auth process
            assertEquals(2, sasl.connectionsOpened());

            // Dovecot stops altogether, then starts again
            restarted.stop();
            SaslStep down = first(sasl.begin(plain), plain);
            String reason = "Connect to Dovecot auth socket '" + restarted.socket + "' failed: ";
            assertEquals(new SaslStep.TempFail(DovecotSaslServer.CANT_CONNECT), down);
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("warning: SASL: " + reason)), log.lines().toString());
            restarted.start();
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(plain), plain));
            assertEquals(List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1"), await(sasl.mechanisms(OPTIONS)));
            assertEquals(4, sasl.connectionsOpened());
        }
    }

    /**
     * disable_plaintext_auth is enforced by Dovecot's login processes, not by its auth server: over
     * the auth socket PLAIN stays offered and succeeds without "secured". smtpd's own settings
     * (smtpd_tls_auth_only, noplaintext in smtpd_sasl_security_options) are what keep it off
     * unencrypted sessions, as with Postfix.
     */
    @Test void disablePlaintextAuthDoesNotRestrictTheAuthSocket(@TempDir Path own) throws Exception {
        try (DovecotAuth strict = DovecotAuth.start(own, true);
             DovecotSaslServer sasl = DovecotSaslServer.create(strict.socket.toString(), own, TIMEOUT)) {
            assertEquals(List.of("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1"), await(sasl.mechanisms(OPTIONS)));
            SaslRequest plain = request("PLAIN", b64("\0alice\0secret"));
            assertFalse(plain.secured());
            assertEquals(new SaslStep.Ok("alice"), first(sasl.begin(plain), plain));
        }
    }
}
