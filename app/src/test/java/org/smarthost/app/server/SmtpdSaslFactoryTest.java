package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.ParameterRegistry;
import org.smarthost.protocol.sasl.DovecotSaslServer;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.smtpd.SmtpdSasl;

/** main.cf's smtpd SASL parameters. */
class SmtpdSaslFactoryTest {

    @TempDir
    Path dir;

    private SmtpdSasl build(Map<String, String> main) {
        return SmtpdSaslFactory.build(Config.of(ParameterRegistry.standard(), dir, main), dir, "postfix/smtpd");
    }

    @Test
    void offByDefault() {
        assertEquals(SmtpdSasl.NONE, build(Map.of()));
        assertFalse(build(Map.of("smtpd_sasl_type", "dovecot")).enabled());
    }

    @Test
    void dovecotWithPostfixsUsualSettings() {
        SmtpdSasl s = build(Map.of("smtpd_sasl_auth_enable", "yes", "smtpd_sasl_type", "dovecot",
                "smtpd_sasl_path", "private/auth", "smtpd_sasl_security_options", "noanonymous, noplaintext",
                "smtpd_sasl_authenticated_header", "yes", "broken_sasl_auth_clients", "yes",
                "smtpd_sasl_exceptions_networks", "192.0.2.0/24"));
        try {
            assertTrue(s.enabled());
            assertEquals(new SaslSecurityOptions(true, false, false, true, false, false), s.options());
            // smtpd_sasl_tls_security_options defaults to $smtpd_sasl_security_options
            assertEquals(s.options(), s.tlsOptions());
            assertTrue(s.authenticatedHeader());
            assertTrue(s.brokenClients());
            assertEquals("smtp", s.service());
            assertEquals(List.of("192.0.2.0/24"), s.exceptionsNetworks());
            assertEquals(12288, s.responseLimit());
            assertEquals(dir.resolve("private/auth").toString(), ((DovecotSaslServer) s.server()).address().toString());
        } finally {
            s.server().close();
        }
    }

    @Test
    void cyrusAndBadOptionsAreConfigurationErrors() {
        // Postfix's default smtpd_sasl_type is cyrus, which smarthost does not have
        var e = assertThrows(ConfigException.class, () -> build(Map.of("smtpd_sasl_auth_enable", "yes")));
        assertEquals("unsupported SASL server implementation: cyrus (smarthost supports smtpd_sasl_type = dovecot)",
                e.getMessage());
        var e2 = assertThrows(ConfigException.class, () -> build(Map.of("smtpd_sasl_auth_enable", "yes",
                "smtpd_sasl_type", "dovecot", "smtpd_sasl_security_options", "noplain")));
        assertEquals("smtpd_sasl_security_options: unknown SASL security options value \"noplain\" in \"noplain\"",
                e2.getMessage());
    }
}
