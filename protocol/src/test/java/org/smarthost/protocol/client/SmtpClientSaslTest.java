package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.Maps;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.TestDnsServer;
import org.smarthost.protocol.sasl.SaslSecurityOptions;

/** SMTP AUTH in the SMTP client: mechanism choice, password lookup order, and the AUTH exchange. */
class SmtpClientSaslTest {

    static TestDnsServer dns;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("postfix/smtp");

    @BeforeAll
    static void startDns() throws Exception {
        dns = new TestDnsServer();
    }

    @AfterAll
    static void stopDns() throws Exception {
        dns.close();
    }

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private Maps maps(String value) {
        return new LookupTables(Path.of("."), logger).maps("smtp_sasl_password_maps", value);
    }

    private static final SaslSecurityOptions DEFAULT = SaslSecurityOptions.parse("noplaintext, noanonymous");
    private static final SaslSecurityOptions NOANONYMOUS = SaslSecurityOptions.parse("noanonymous");

    private ClientSasl sasl(String table, SaslSecurityOptions options, SaslSecurityOptions tlsOptions,
                            Predicate<String> filter, boolean senderDependent, boolean softBounce) {
        return new ClientSasl(true, maps(table), options, tlsOptions, filter, senderDependent, softBounce, "+", logger);
    }

    private ClientSasl sasl(String table) {
        return sasl(table, NOANONYMOUS, NOANONYMOUS, null, false, true);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- EHLO parsing and mechanism choice ----

    @Test
    void authKeywordInBothFormsAndSeveralLinesJoined() {
        EsmtpFeatures f = EsmtpFeatures.parse(new ServerReply(250,
                List.of("mx.example", "PIPELINING", "AUTH PLAIN LOGIN", "AUTH=LOGIN CRAM-MD5")));
        assertEquals(List.of("PLAIN", "LOGIN", "CRAM-MD5"), f.auth());
        assertNull(EsmtpFeatures.parse(new ServerReply(250, List.of("mx.example", "PIPELINING"))).auth());
        assertEquals(List.of(), EsmtpFeatures.parse(new ServerReply(250, List.of("mx.example", "AUTH"))).auth());
        assertNull(EsmtpFeatures.NONE.auth());
    }

    @Test
    void securityOptionsFilterThenTheClientsPreference() {
        ClientSasl defaults = sasl("inline:{x=y}", DEFAULT, DEFAULT, null, false, true);
        // Postfix's default noplaintext leaves neither PLAIN nor LOGIN
        assertEquals(Optional.empty(), defaults.choose(List.of("PLAIN", "LOGIN"), false));
        assertEquals(Optional.of(ClientSaslMechanism.CRAM_MD5), defaults.choose(List.of("PLAIN", "cram-md5"), false));
        ClientSasl plain = sasl("inline:{x=y}");
        assertEquals(Optional.of(ClientSaslMechanism.PLAIN), plain.choose(List.of("LOGIN", "PLAIN"), false));
        assertEquals(Optional.of(ClientSaslMechanism.LOGIN), plain.choose(List.of("LOGIN", "GSSAPI"), false));
        assertEquals(Optional.empty(), plain.choose(List.of("GSSAPI", "ANONYMOUS"), false));
        // in a TLS session, the TLS options apply
        ClientSasl tlsOnly = sasl("inline:{x=y}", DEFAULT, NOANONYMOUS, null, false, true);
        assertEquals(Optional.empty(), tlsOnly.choose(List.of("PLAIN"), false));
        assertEquals(Optional.of(ClientSaslMechanism.PLAIN), tlsOnly.choose(List.of("PLAIN"), true));
        // options no mechanism of ours has
        assertEquals(Optional.empty(), sasl("inline:{x=y}", SaslSecurityOptions.parse("mutual_auth"),
                NOANONYMOUS, null, false, true).choose(List.of("CRAM-MD5", "PLAIN"), false));
    }

    @Test
    void mechanismFilterIntersects() {
        ClientSasl filtered = sasl("inline:{x=y}", NOANONYMOUS, NOANONYMOUS, "LOGIN"::equalsIgnoreCase, false, true);
        List<String> kept = filtered.filter(List.of("PLAIN", "login"));
        assertEquals(List.of("login"), kept);
        assertEquals(Optional.of(ClientSaslMechanism.LOGIN), filtered.choose(kept, false));
    }

    @Test
    void cramMd5AsInRfc2195() {
        byte[] challenge = "<1896.697170952@postoffice.reston.mci.net>".getBytes(StandardCharsets.US_ASCII);
        assertEquals("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
                ClientSaslMechanism.CRAM_MD5.respond(challenge, 0, new SaslCredentials("tim", "tanstaaftanstaaf")));
        assertEquals(b64("\0alice\0sec:ret"), ClientSaslMechanism.PLAIN.initialResponse(SaslCredentials.parse("alice:sec:ret")));
        assertFalse(SaslCredentials.parse("alice:secret").toString().contains("secret"));
    }

    // ---- password lookup ----

    @Test
    void passwordLookupTriesTheHostThenTheNexthopAsWritten() {
        ClientSasl byHost = sasl("inline:{smtp.isp.example=host:pw1, [smtp.isp.example]:587=dest:pw2}");
        assertEquals("host", byHost.credentials("a@b.example", "smtp.isp.example", "[smtp.isp.example]:587")
                .orElseThrow().username());
        ClientSasl byDest = sasl("inline:{[smtp.isp.example]:587=dest:pw2, example.com=domain:pw3}");
        SaslCredentials c = byDest.credentials("a@b.example", "smtp.isp.example", "[smtp.isp.example]:587").orElseThrow();
        assertEquals("dest", c.username());
        assertEquals("pw2", c.password());
        // an MX destination: the MX host name, then the domain
        assertEquals("domain", byDest.credentials("", "mx1.example.com", "example.com").orElseThrow().username());
        assertTrue(byDest.credentials("", "other.example", "[other.example]:25").isEmpty());
        // keys are case-insensitive, as in Postfix's fixed tables
        assertEquals("dest", byDest.credentials("", "x", "[SMTP.isp.example]:587").orElseThrow().username());
    }

    @Test
    void senderDependentLookupComesFirst() {
        String table = "inline:{alice+news@example.org=ext:1, bob@example.org=bob:2, @example.org=domain:3, relay.example=host:4}";
        ClientSasl bySender = sasl(table, NOANONYMOUS, NOANONYMOUS, null, true, true);
        assertEquals("ext", bySender.credentials("alice+news@example.org", "relay.example", "[relay.example]").orElseThrow().username());
        assertEquals("bob", bySender.credentials("bob+x@example.org", "relay.example", "[relay.example]").orElseThrow().username());
        assertEquals("domain", bySender.credentials("carol@example.org", "relay.example", "[relay.example]").orElseThrow().username());
        // the null sender and other domains: by server
        assertEquals("host", bySender.credentials("", "relay.example", "[relay.example]").orElseThrow().username());
        assertEquals("host", bySender.credentials("x@other.example", "relay.example", "[relay.example]").orElseThrow().username());
        // without smtp_sender_dependent_authentication the sender is not a key
        assertEquals("host", sasl(table).credentials("bob@example.org", "relay.example", "[relay.example]").orElseThrow().username());
        // cached sessions are told apart by sender only then
        assertEquals("|sender=bob@example.org", bySender.cacheKey("bob@example.org"));
        assertEquals("", sasl(table).cacheKey("bob@example.org"));
    }

    @Test
    void aTableThatCannotAnswerIsAnErrorNotAMiss() {
        ClientSasl broken = sasl("nosuchtype:/etc/postfix/sasl_passwd");
        assertThrows(LookupException.class, () -> broken.credentials("", "relay.example", "[relay.example]"));
        assertTrue(broken.hasCredentials("", "relay.example", "[relay.example]"));
    }

    // ---- the exchange, against a scripted server ----

    private DeliveryResult deliver(ClientSasl sasl, ScriptedServer server) throws Exception {
        try (SmtpClient client = SmtpClient.create(SmtpClientSettings.smtpDefaults("client.example.test")
                        .withTimeouts(Duration.ofSeconds(5)), new MxResolver(dns.client(), MxResolver.Settings.defaults()),
                StartTlsHook.NONE, sasl)) {
            return client.deliver(SmtpClientSinkTest.simple(server.nexthop(), "rcpt@example.test")).get();
        }
    }

    private static void greet(BufferedReader in, ScriptedServer.Reply out, String... auth) throws IOException {
        out.send("220 scripted ESMTP");
        in.readLine();
        String[] ehlo = new String[auth.length + 2];
        ehlo[0] = "250-scripted";
        for (int i = 0; i < auth.length; i++) ehlo[i + 1] = "250-" + auth[i];
        ehlo[ehlo.length - 1] = "250 ENHANCEDSTATUSCODES";
        out.send(ehlo);
    }

    private static void transaction(BufferedReader in, ScriptedServer.Reply out) throws IOException {
        assertTrue(in.readLine().startsWith("MAIL FROM:"));
        out.send("250 2.1.0 Ok");
        assertTrue(in.readLine().startsWith("RCPT TO:"));
        out.send("250 2.1.5 Ok");
        assertEquals("DATA", in.readLine());
        out.send("354 go");
        while (!".".equals(in.readLine())) { }
        out.send("250 2.0.0 Ok: queued as 4XyzAbc");
        in.readLine();
        out.send("221 2.0.0 Bye");
    }

    private void assertNoPassword(ScriptedServer server) {
        for (String line : lines()) {
            assertFalse(line.contains("secret") || line.contains(b64("\0alice\0secret")) || line.contains(b64("secret")), line);
        }
    }

    @Test
    void plainWithTheInitialResponseOnTheAuthLine() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH LOGIN PLAIN");
            assertEquals("AUTH PLAIN " + b64("\0alice\0secret"), in.readLine());
            out.send("235 2.7.0 Authentication successful");
            transaction(in, out);
        })) {
            DeliveryResult result = deliver(sasl("inline:{127.0.0.1=alice:secret}"), server);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome(), result.toString());
            assertNoPassword(server);
        }
    }

    @Test
    void loginAnswersTheServersPrompts() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH=LOGIN");
            assertEquals("AUTH LOGIN", in.readLine());
            out.send("334 VXNlcm5hbWU6");
            assertEquals(b64("alice"), in.readLine());
            out.send("334 UGFzc3dvcmQ6");
            assertEquals(b64("secret"), in.readLine());
            out.send("235 2.7.0 Authentication successful");
            transaction(in, out);
        })) {
            DeliveryResult result = deliver(sasl("inline:{" + server.nexthop() + "=alice:secret}"), server);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome(), result.toString());
            assertNoPassword(server);
        }
    }

    @Test
    void lmtpLogsInAfterLhlo() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            out.send("220 scripted LMTP");
            assertTrue(in.readLine().startsWith("LHLO "));
            out.send("250-scripted", "250-AUTH PLAIN", "250 ENHANCEDSTATUSCODES");
            assertEquals("AUTH PLAIN " + b64("\0alice\0secret"), in.readLine());
            out.send("235 2.7.0 Authentication successful");
            assertTrue(in.readLine().startsWith("MAIL FROM:"));
            out.send("250 2.1.0 Ok");
            assertTrue(in.readLine().startsWith("RCPT TO:"));
            out.send("250 2.1.5 Ok");
            assertEquals("DATA", in.readLine());
            out.send("354 go");
            while (!".".equals(in.readLine())) { }
            out.send("250 2.0.0 <rcpt@example.test> Saved");
            in.readLine();
            out.send("221 2.0.0 Bye");
        });
             SmtpClient client = SmtpClient.create(SmtpClientSettings.lmtpDefaults("client.example.test")
                     .withTimeouts(Duration.ofSeconds(5)), new MxResolver(dns.client(), MxResolver.Settings.defaults()),
                     StartTlsHook.NONE, sasl("inline:{127.0.0.1:PORT=alice:secret}".replace("PORT",
                             String.valueOf(server.port()))))) {
            // the key is the nexthop as written, without LMTP's "inet:"
            DeliveryResult result = client.deliver(SmtpClientSinkTest.simple("inet:127.0.0.1:" + server.port(),
                    "rcpt@example.test")).get();
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome(), result.toString());
        }
    }

    @Test
    void aLongInitialResponseFollowsAnEmptyChallenge() throws Exception {
        String password = "p".repeat(600);
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH PLAIN");
            assertEquals("AUTH PLAIN", in.readLine());
            out.send("334 ");
            assertEquals(b64("\0alice\0" + password), in.readLine());
            out.send("235 2.7.0 Authentication successful");
            transaction(in, out);
        })) {
            DeliveryResult result = deliver(sasl("inline:{127.0.0.1=alice:" + password + "}"), server);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome(), result.toString());
        }
    }

    @Test
    void a535DefersTheMailBySoftBounceAndSendsNoMail() throws Exception {
        for (boolean softBounce : new boolean[] {true, false}) {
            try (ScriptedServer server = new ScriptedServer((in, out) -> {
                greet(in, out, "AUTH PLAIN LOGIN");
                assertTrue(in.readLine().startsWith("AUTH PLAIN "));
                out.send("535 5.7.8 Error: authentication failed: authentication failure");
                assertEquals("QUIT", in.readLine());
                out.send("221 2.0.0 Bye");
            })) {
                DeliveryResult result = deliver(sasl("inline:{127.0.0.1=alice:secret}", NOANONYMOUS, NOANONYMOUS, null,
                        false, softBounce), server);
                assertTrue(server.errors.isEmpty(), server.errors.toString());
                RecipientResult r = result.recipients().get(0);
                assertEquals(softBounce ? Outcome.DEFERRED : Outcome.BOUNCED, r.outcome());
                assertEquals(softBounce ? "4.7.8" : "5.7.8", r.dsn());
                assertEquals("SASL authentication failed; server 127.0.0.1[127.0.0.1] said: 535 5.7.8 Error: "
                        + "authentication failed: authentication failure", r.text());
                assertFalse(server.received.stream().anyMatch(l -> l.startsWith("MAIL")), server.received.toString());
                assertNoPassword(server);
            }
        }
    }

    @Test
    void noMechanismLeftByTheSecurityOptions() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH PLAIN LOGIN");
            assertEquals("QUIT", in.readLine());
            out.send("221 2.0.0 Bye");
        })) {
            DeliveryResult result = deliver(sasl("inline:{127.0.0.1=alice:secret}", DEFAULT, DEFAULT, null, false, true),
                    server);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            RecipientResult r = result.recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("4.7.0", r.dsn());
            assertEquals("SASL authentication failed; cannot authenticate to server 127.0.0.1[127.0.0.1]: "
                    + "no mechanism available", r.text());
            assertTrue(lines().contains("warning: SASL authentication failure: No worthy mechs found"), lines().toString());
        }
    }

    @Test
    void theFilterLeavingNothingIsNoCompatibleMechanism() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH GSSAPI");
            assertEquals("QUIT", in.readLine());
            out.send("221 2.0.0 Bye");
        })) {
            DeliveryResult result = deliver(sasl("inline:{127.0.0.1=alice:secret}", NOANONYMOUS, NOANONYMOUS,
                    m -> !m.equalsIgnoreCase("GSSAPI"), false, true), server);
            RecipientResult r = result.recipients().get(0);
            assertEquals("4.7.0", r.dsn());
            assertEquals("SASL authentication failed: server 127.0.0.1[127.0.0.1] offered no compatible authentication "
                    + "mechanisms for this type of connection security", r.text());
            assertTrue(lines().stream().anyMatch(l -> l.matches("warning: 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1]:\\d+ offered "
                    + "no supported AUTH mechanisms: 'GSSAPI'")), lines().toString());
        }
    }

    @Test
    void withoutAPasswordEntryOrWithoutAuthTheMailGoesOnUnauthenticated() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH PLAIN LOGIN");
            transaction(in, out);
        })) {
            DeliveryResult result = deliver(sasl("inline:{other.example=alice:secret}"), server);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome());
            assertFalse(server.received.stream().anyMatch(l -> l.startsWith("AUTH")), server.received.toString());
        }
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out);
            transaction(in, out);
        })) {
            DeliveryResult result = deliver(sasl("inline:{127.0.0.1=alice:secret}"), server);
            assertTrue(server.errors.isEmpty(), server.errors.toString());
            assertEquals(Outcome.DELIVERED, result.recipients().get(0).outcome());
        }
    }

    @Test
    void aTableLookupErrorDefersWithoutSending() throws Exception {
        try (ScriptedServer server = new ScriptedServer((in, out) -> {
            greet(in, out, "AUTH PLAIN");
            assertEquals("QUIT", in.readLine());
            out.send("221 2.0.0 Bye");
        })) {
            DeliveryResult result = deliver(sasl("nosuchtype:/etc/postfix/sasl_passwd"), server);
            RecipientResult r = result.recipients().get(0);
            assertEquals(Outcome.DEFERRED, r.outcome());
            assertEquals("4.3.0", r.dsn());
            assertEquals("local data error while performing the EHLO handshake", r.text());
            assertTrue(lines().contains("warning: smtp_sasl_password_maps lookup error"), lines().toString());
            assertFalse(server.received.stream().anyMatch(l -> l.startsWith("MAIL")), server.received.toString());
        }
    }
}
