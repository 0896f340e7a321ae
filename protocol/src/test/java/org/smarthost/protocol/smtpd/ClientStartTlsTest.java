package org.smarthost.protocol.smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.protocol.client.ClientSasl;
import org.smarthost.protocol.client.ClientStartTls;
import org.smarthost.protocol.client.DeliveryRequest;
import org.smarthost.protocol.client.DeliveryResult;
import org.smarthost.protocol.client.Outcome;
import org.smarthost.protocol.client.Recipient;
import org.smarthost.protocol.client.RecipientResult;
import org.smarthost.protocol.client.SmtpClient;
import org.smarthost.protocol.client.SmtpClientSettings;
import org.smarthost.protocol.client.StartTlsHook;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.TestDnsServer;
import org.smarthost.protocol.io.NettyTransport;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.tls.ServerCredentials;
import org.smarthost.protocol.tls.ServerTlsContexts;
import org.smarthost.protocol.tls.TestCertificates;

/**
 * The delivery side's STARTTLS (smtp_tls_security_level may and encrypt): smarthost's SMTP client
 * delivering to smarthost's smtpd over real sockets and the JDK's TLS on both ends.
 */
class ClientStartTlsTest extends SmtpdTestSupport {

    private static final byte[] BODY = "Subject: tls\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8);

    private final NettyTransport transport = NettyTransport.best();
    private EventLoopGroup group;
    private TestDnsServer dns;
    private SslContext serverContext;
    private final ListAppender<ILoggingEvent> clientLog = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        group = transport.newGroup(1, new DefaultThreadFactory("client", true));
        dns = new TestDnsServer();
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        serverContext = ServerTlsContexts.build(ServerCredentials.fromChainFiles(
                List.of(TestCertificates.rsa(keys, HOST).combined())), List.of("TLSv1.3"));
        clientLog.start();
        ((Logger) LoggerFactory.getLogger("postfix/smtp")).addAppender(clientLog);
    }

    @AfterEach
    void tearDown() throws Exception {
        ((Logger) LoggerFactory.getLogger("postfix/smtp")).detachAppender(clientLog);
        dns.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private SmtpdSettings server(boolean offer, SslContext context) {
        return defaults().with(new SmtpdTls(offer, false, false, false, true, 0, Duration.ofSeconds(10), context));
    }

    private StartTlsHook client(boolean required, String... protocols) throws Exception {
        SslContext context = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .protocols(protocols.length == 0 ? new String[] {"TLSv1.2", "TLSv1.3"} : protocols).build();
        return new ClientStartTls(required, context, Duration.ofSeconds(10), 1, LoggerFactory.getLogger("postfix/smtp"));
    }

    private RecipientResult deliver(SmtpServer server, StartTlsHook tls) throws Exception {
        return deliver(server, tls, false).recipients().get(0);
    }

    /** @param plaintextFallback the message has waited minimal_backoff_time (a retry) */
    private DeliveryResult deliver(SmtpServer server, StartTlsHook tls, boolean plaintextFallback) throws Exception {
        return deliver(server, tls, plaintextFallback, ClientSasl.NONE);
    }

    private DeliveryResult deliver(SmtpServer server, StartTlsHook tls, boolean plaintextFallback, ClientSasl sasl)
            throws Exception {
        SmtpClient client = new SmtpClient(SmtpClientSettings.smtpDefaults("client.example.test")
                .withTimeouts(Duration.ofSeconds(10)), new MxResolver(dns.client(), MxResolver.Settings.defaults()),
                transport, group, tls, sasl);
        try {
            DeliveryRequest request = new DeliveryRequest("[127.0.0.1]:" + server.boundAddress().getPort(),
                    "sender@example.test", List.of(Recipient.of("rcpt@" + HOST)), null, null, BODY.length, null, false,
                    () -> new ByteArrayInputStream(BODY), false, plaintextFallback);
            return client.deliver(request).get(30, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    private List<String> clientLines() {
        return clientLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void mayUsesTlsWhenOfferedAndLogsTheSession() throws Exception {
        SmtpServer server = start(server(true, serverContext));
        RecipientResult r = deliver(server, client(false));
        assertEquals(Outcome.DELIVERED, r.outcome(), r.text());
        waitFor(() -> receiver.committed.size() == 1);
        assertEquals("ESMTPS", receiver.committed.get(0).session().receivedProtocol());
        String relay = "127.0.0.1[127.0.0.1]:" + server.boundAddress().getPort();
        assertTrue(clientLines().stream().anyMatch(l -> l.matches("Untrusted TLS connection established to "
                + java.util.regex.Pattern.quote(relay) + ": TLSv1\\.3 with cipher TLS_\\S+ \\(\\d+/\\d+ bits\\)")),
                clientLines().toString());
    }

    @Test
    void mayGoesOnInPlaintextWithoutTlsOrWhenStarttlsIsRefused() throws Exception {
        SmtpServer plain = start(defaults());
        assertEquals(Outcome.DELIVERED, deliver(plain, client(false)).outcome());
        SmtpServer broken = start(server(true, null)); // offers STARTTLS, answers 454
        assertEquals(Outcome.DELIVERED, deliver(broken, client(false)).outcome());
        waitFor(() -> receiver.committed.size() == 2);
        assertEquals("ESMTP", receiver.committed.get(0).session().receivedProtocol());
        assertEquals("ESMTP", receiver.committed.get(1).session().receivedProtocol());
    }

    @Test
    void encryptDefersWhenTlsIsNotOfferedOrRefused() throws Exception {
        SmtpServer plain = start(defaults());
        RecipientResult notOffered = deliver(plain, client(true));
        assertEquals(Outcome.DEFERRED, notOffered.outcome());
        assertEquals("4.7.4", notOffered.dsn());
        assertEquals("TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]", notOffered.text());

        SmtpServer broken = start(server(true, null));
        RecipientResult refused = deliver(broken, client(true));
        assertEquals(Outcome.DEFERRED, refused.outcome());
        assertEquals("4.7.0", refused.dsn());
        assertEquals("TLS is required, but host 127.0.0.1[127.0.0.1] refused to start TLS: "
                + "454 4.7.0 TLS not available due to local problem", refused.text());
        assertEquals(0, receiver.committed.size());
    }

    @Test
    void encryptDeliversOverTls() throws Exception {
        SmtpServer server = start(server(true, serverContext));
        assertEquals(Outcome.DELIVERED, deliver(server, client(true)).outcome());
        waitFor(() -> receiver.committed.size() == 1);
        assertEquals("ESMTPS", receiver.committed.get(0).session().receivedProtocol());
    }

    @Test
    void aFailedHandshakeDefersANewMessageWithoutThrottlingAtMay() throws Exception {
        SmtpServer server = start(server(true, serverContext)); // TLSv1.3 only
        DeliveryResult result = deliver(server, client(false, "TLSv1.2"), false);
        RecipientResult r = result.recipients().get(0);
        assertEquals(Outcome.DEFERRED, r.outcome());
        assertEquals("4.7.5", r.dsn());
        assertEquals("Cannot start TLS: handshake failure", r.text());
        assertTrue(result.noThrottle(), "optional TLS: Postfix's SMTP_MISC_FAIL_NONE");
        assertTrue(clientLines().stream().anyMatch(l -> l.startsWith("warning: TLS library problem: ")), clientLines().toString());
        assertEquals(0, receiver.committed.size());
    }

    @Test
    void aMessageThatWaitedFallsBackToPlaintextAtMayOnly() throws Exception {
        SmtpServer server = start(server(true, serverContext)); // TLSv1.3 only
        DeliveryResult may = deliver(server, client(false, "TLSv1.2"), true);
        assertEquals(Outcome.DELIVERED, may.recipients().get(0).outcome(), may.recipients().get(0).text());
        waitFor(() -> receiver.committed.size() == 1);
        assertEquals("ESMTP", receiver.committed.get(0).session().receivedProtocol()); // the retry, in plaintext

        // encrypt never falls back, and its failure counts against the destination
        DeliveryResult encrypt = deliver(server, client(true, "TLSv1.2"), true);
        assertEquals(Outcome.DEFERRED, encrypt.recipients().get(0).outcome());
        assertEquals("Cannot start TLS: handshake failure", encrypt.recipients().get(0).text());
        assertTrue(!encrypt.noThrottle());
        assertEquals(1, receiver.committed.size());
    }

    @Test
    void noPlaintextRetryWhenThereIsASaslLogin() throws Exception {
        // Postfix's HAVE_SASL_CREDENTIALS: the server may offer AUTH over TLS only
        SmtpServer server = start(server(true, serverContext)); // TLSv1.3 only
        Logger log = (Logger) LoggerFactory.getLogger("postfix/smtp");
        ClientSasl sasl = new ClientSasl(true, new LookupTables(tmp, log).maps("smtp_sasl_password_maps",
                "inline:{127.0.0.1=alice:secret}"), SaslSecurityOptions.DEFAULT, SaslSecurityOptions.DEFAULT, null,
                false, true, "", log);
        DeliveryResult may = deliver(server, client(false, "TLSv1.2"), true, sasl);
        assertEquals(Outcome.DEFERRED, may.recipients().get(0).outcome());
        assertEquals("Cannot start TLS: handshake failure", may.recipients().get(0).text());
        assertEquals(0, receiver.committed.size());
    }
}
