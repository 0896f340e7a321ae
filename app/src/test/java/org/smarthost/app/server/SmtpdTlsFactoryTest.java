package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.ParameterRegistry;
import org.smarthost.protocol.smtpd.SmtpdTls;
import org.smarthost.protocol.tls.TestCertificates;

/** main.cf's smtpd TLS parameters, resolved as Postfix's smtpd resolves them at start-up. */
class SmtpdTlsFactoryTest {

    @TempDir
    Path dir;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void capture() {
        log.start();
        ((Logger) LoggerFactory.getLogger("postfix/smtpd")).addAppender(log);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger("postfix/smtpd")).detachAppender(log);
    }

    private SmtpdTls build(Map<String, String> main) {
        return SmtpdTlsFactory.build(Config.of(ParameterRegistry.standard(), dir, main), dir, "postfix/smtpd");
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void postfixDefaultIsNoTls() {
        SmtpdTls t = build(Map.of());
        assertFalse(t.offer());
        assertFalse(t.enforce());
        assertNull(t.context());
        assertTrue(lines().isEmpty(), lines().toString());
    }

    @Test
    void securityLevelMayOffersWithTheConfiguredKeys() throws Exception {
        var rsa = TestCertificates.rsa(dir, "mx.example.com");
        SmtpdTls t = build(Map.of("smtpd_tls_security_level", "may", "smtpd_tls_cert_file", rsa.cert().toString(),
                "smtpd_tls_key_file", rsa.key().toString(), "smtpd_tls_loglevel", "1"));
        assertTrue(t.offer());
        assertFalse(t.enforce());
        assertFalse(t.authOnly());
        assertEquals(1, t.loglevel());
        assertNotNull(t.context());
    }

    @Test
    void encryptOverridesTheLegacySwitchesAndImpliesAuthOnly() throws Exception {
        var ec = TestCertificates.ec(dir, "mx.example.com");
        // relative names are relative to the queue directory, where Postfix's daemons run
        SmtpdTls t = build(Map.of("smtpd_tls_security_level", "encrypt", "smtpd_use_tls", "no",
                "smtpd_tls_chain_files", dir.relativize(ec.combined()).toString()));
        assertTrue(t.offer());
        assertTrue(t.enforce());
        assertTrue(t.authOnly());
        assertNotNull(t.context());
    }

    @Test
    void levelNoneOverridesSmtpdUseTls() {
        assertFalse(build(Map.of("smtpd_tls_security_level", "none", "smtpd_use_tls", "yes")).offer());
        assertTrue(build(Map.of("smtpd_use_tls", "yes")).offer());
    }

    @Test
    void wrapperModeEnforcesWhateverTheLevelSays() throws Exception {
        var rsa = TestCertificates.rsa(dir, "mx.example.com");
        SmtpdTls t = build(Map.of("smtpd_tls_wrappermode", "yes", "smtpd_tls_security_level", "none",
                "smtpd_tls_cert_file", rsa.combined().toString()));
        assertTrue(t.wrapperMode());
        assertTrue(t.enforce());
        assertNotNull(t.context());
    }

    @Test
    void anInvalidLevelIsFatalAndVerifyFallsBackToEncrypt() {
        var e = assertThrows(ConfigException.class, () -> build(Map.of("smtpd_tls_security_level", "maybe")));
        assertEquals("Invalid TLS level \"maybe\"", e.getMessage());
        assertTrue(build(Map.of("smtpd_tls_security_level", "verify")).enforce());
        assertTrue(lines().contains("warning: smtpd_tls_security_level: unsupported TLS level \"verify\", using \"encrypt\""),
                lines().toString());
    }

    @Test
    void keysThatDoNotLoadDisableTlsWithPostfixsWarnings() throws Exception {
        SmtpdTls none = build(Map.of("smtpd_tls_security_level", "may"));
        assertTrue(none.offer());
        assertNull(none.context());
        assertTrue(lines().contains("warning: No server certs available. TLS won't be enabled"), lines().toString());

        Path missing = dir.resolve("missing.pem");
        assertNull(build(Map.of("smtpd_tls_security_level", "may", "smtpd_tls_cert_file", missing.toString())).context());
        assertTrue(lines().contains("warning: cannot get RSA certificate from file \"" + missing
                + "\": disabling TLS support (No such file or directory)"), lines().toString());

        var rsa = TestCertificates.rsa(dir, "mx.example.com");
        assertNull(build(Map.of("smtpd_tls_security_level", "may", "smtpd_tls_cert_file", rsa.combined().toString(),
                "smtpd_tls_protocols", ">=TLSv1.5")).context());
        assertTrue(lines().contains("warning: Invalid TLS protocol list \">=TLSv1.5\": disabling TLS support"),
                lines().toString());
    }
}
