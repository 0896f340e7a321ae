package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.ParameterRegistry;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.protocol.client.ClientSasl;

/** smtp_sasl_* and lmtp_sasl_* as the delivery agents read them. */
class ClientSaslFactoryTest {

    private final Logger log = LoggerFactory.getLogger("postfix/smtp");

    @TempDir Path dir;

    private Config config(Map<String, String> main) {
        return Config.of(ParameterRegistry.standard(), Path.of("/nonexistent"), main);
    }

    private ClientSasl build(Map<String, String> main, boolean lmtp) {
        return ClientSaslFactory.build(config(main), lmtp, dir, log);
    }

    @Test
    void offByDefaultAndLmtpHasItsOwnNames() {
        assertSame(ClientSasl.NONE, build(Map.of(), false));
        assertSame(ClientSasl.NONE, build(Map.of("smtp_sasl_auth_enable", "yes",
                "smtp_sasl_password_maps", "inline:{a=b:c}"), true));
        ClientSasl lmtp = build(Map.of("lmtp_sasl_auth_enable", "yes", "lmtp_sasl_password_maps", "inline:{a=u:p}"), true);
        assertTrue(lmtp.enabled());
        assertEquals("u", lmtp.credentials("", "a", "[a]").orElseThrow().username());
    }

    @Test
    void theRelayhostWithAPassword() {
        ClientSasl sasl = build(Map.of("smtp_sasl_auth_enable", "yes",
                "smtp_sasl_password_maps", "inline:{[smtp.isp.example]:587=alice:secret}",
                "smtp_sasl_security_options", "noanonymous"), false);
        var login = sasl.credentials("me@example.org", "smtp.isp.example", "[smtp.isp.example]:587").orElseThrow();
        assertEquals("alice", login.username());
        assertEquals("secret", login.password());
    }

    @Test
    void refusedAtStartAsPostfixRefuses() {
        ConfigException type = assertThrows(ConfigException.class, () -> build(Map.of("smtp_sasl_auth_enable", "yes",
                "smtp_sasl_password_maps", "inline:{a=b:c}", "smtp_sasl_type", "dovecot"), false));
        assertTrue(type.getMessage().startsWith("unsupported SASL client implementation: dovecot"), type.getMessage());
        ConfigException noTable = assertThrows(ConfigException.class, () -> build(Map.of("smtp_sasl_auth_enable", "yes"), false));
        assertEquals("specify a password table via the `smtp_sasl_password_maps' configuration parameter", noTable.getMessage());
        ConfigException option = assertThrows(ConfigException.class, () -> build(Map.of("lmtp_sasl_auth_enable", "yes",
                "lmtp_sasl_password_maps", "inline:{a=b:c}", "lmtp_sasl_tls_security_options", "noplain"), true));
        assertEquals("lmtp_sasl_tls_security_options: unknown SASL security options value \"noplain\" in \"noplain\"",
                option.getMessage());
    }

    @Test
    void mechanismFilterAsAStringList() throws Exception {
        LookupTables tables = new LookupTables(dir, log);
        assertNull(ClientSaslFactory.mechanismFilter(config(Map.of()), "smtp_sasl_mechanism_filter", tables));
        Predicate<String> names = ClientSaslFactory.mechanismFilter(config(Map.of("smtp_sasl_mechanism_filter",
                "plain, login")), "smtp_sasl_mechanism_filter", tables);
        assertTrue(names.test("PLAIN") && names.test("login"));
        assertFalse(names.test("CRAM-MD5"));
        Predicate<String> negated = ClientSaslFactory.mechanismFilter(config(Map.of("smtp_sasl_mechanism_filter",
                "!gssapi, !login, static:rest")), "smtp_sasl_mechanism_filter", tables);
        assertTrue(negated.test("PLAIN"));
        assertFalse(negated.test("LOGIN") || negated.test("GSSAPI"));
        Path file = Files.writeString(dir.resolve("smtp_mechs"), "# allowed\ncram-md5\n");
        Predicate<String> fromFile = ClientSaslFactory.mechanismFilter(config(Map.of("smtp_sasl_mechanism_filter",
                file.toString())), "smtp_sasl_mechanism_filter", tables);
        assertTrue(fromFile.test("CRAM-MD5"));
        assertFalse(fromFile.test("PLAIN"));
    }

    @Test
    void senderDependentForSmtpOnly() {
        Map<String, String> smtp = Map.of("smtp_sasl_auth_enable", "yes", "smtp_sasl_password_maps",
                "inline:{bob@example.org=bob:1, relay=host:2}", "smtp_sender_dependent_authentication", "yes");
        assertEquals("bob", build(smtp, false).credentials("bob@example.org", "relay", "[relay]").orElseThrow().username());
        Map<String, String> lmtp = Map.of("lmtp_sasl_auth_enable", "yes", "lmtp_sasl_password_maps",
                "inline:{bob@example.org=bob:1, relay=host:2}", "lmtp_sender_dependent_authentication", "yes");
        assertEquals("host", build(lmtp, true).credentials("bob@example.org", "relay", "[relay]").orElseThrow().username());
    }
}
