package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.ParameterRegistry;
import org.smarthost.protocol.client.ClientStartTls;
import org.smarthost.protocol.client.EsmtpFeatures;
import org.smarthost.protocol.client.SessionFailure;
import org.smarthost.protocol.client.StartTlsHook;

/** smtp_tls_security_level and the legacy switches, as the delivery agents read them. */
class ClientTlsFactoryTest {

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("postfix/smtp");

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
    }

    private StartTlsHook build(Map<String, String> main, boolean lmtp) {
        return ClientTlsFactory.build(Config.of(ParameterRegistry.standard(), Path.of("/nonexistent"), main), lmtp, logger);
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void noneByDefaultAndFromTheLegacySwitches() {
        assertSame(StartTlsHook.NONE, build(Map.of(), false));
        assertInstanceOf(ClientStartTls.class, build(Map.of("smtp_use_tls", "yes"), false));
        assertInstanceOf(ClientStartTls.class, build(Map.of("smtp_enforce_tls", "yes"), false));
        // the level, when set, wins over the legacy switches
        assertSame(StartTlsHook.NONE, build(Map.of("smtp_tls_security_level", "none", "smtp_use_tls", "yes"), false));
        // LMTP has its own parameters
        assertSame(StartTlsHook.NONE, build(Map.of("smtp_tls_security_level", "may"), true));
        assertInstanceOf(ClientStartTls.class, build(Map.of("lmtp_tls_security_level", "may"), true));
    }

    @Test
    void verifyingLevelsAreNotImplementedAndHoldTheMail() throws Exception {
        StartTlsHook verify = build(Map.of("smtp_tls_security_level", "verify"), false);
        var e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> verify.negotiate(null, EsmtpFeatures.NONE).get());
        SessionFailure f = (SessionFailure) e.getCause();
        assertEquals("4.7.5", f.dsn());
        assertEquals("TLS is required, but our TLS engine is unavailable", f.text());
        assertTrue(lines().contains("warning: smtp_tls_security_level: \"verify\" is not implemented by smarthost yet;"
                + " mail waits in the queue"), lines().toString());
        assertInstanceOf(ClientStartTls.class, build(Map.of("smtp_tls_security_level", "dane"), false));
        assertTrue(lines().stream().anyMatch(l -> l.startsWith("warning: smtp_tls_security_level: \"dane\" needs")), lines().toString());
    }

    @Test
    void badProtocolListsDisableTls() {
        assertSame(StartTlsHook.NONE, build(Map.of("smtp_tls_security_level", "may", "smtp_tls_protocols", "TLSv9"), false));
        assertTrue(lines().contains("warning: Invalid TLS protocol list \"TLSv9\": disabling TLS support"), lines().toString());
    }
}
