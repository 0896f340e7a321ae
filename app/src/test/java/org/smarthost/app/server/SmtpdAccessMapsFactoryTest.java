package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.ParameterRegistry;
import org.smarthost.protocol.smtpd.SmtpdSettings;

/** main.cf's access(5) parameters for smtpd. */
class SmtpdAccessMapsFactoryTest {

    @TempDir
    Path dir;

    private SmtpdSettings.AccessMaps build(Map<String, String> main) {
        return SmtpdSettingsFactory.accessMaps(Config.of(ParameterRegistry.standard(), dir, main), dir.resolve("queue"));
    }

    @Test
    void postfixDefaults() {
        var m = build(Map.of());
        assertEquals(new SmtpdSettings.AccessMaps(dir.resolve("queue"), 554, 450, "<>", "", Map.of(), "",
                m.myorigin()), m);
    }

    @Test
    void senderLoginMapsAndMyorigin() {
        var m = build(Map.of("myhostname", "mx.example.org", "myorigin", "$mydomain",
                "smtpd_sender_login_maps", "hash:/etc/postfix/logins, inline:{a@b=c}"));
        assertEquals("hash:/etc/postfix/logins, inline:{a@b=c}", m.smtpdSenderLoginMaps());
        assertEquals("example.org", m.myorigin());
    }

    @Test
    void codesKeyDelimiterAndClasses() {
        var m = build(Map.of("access_map_reject_code", "550", "access_map_defer_code", "451",
                "smtpd_null_access_lookup_key", "<nullsender>", "recipient_delimiter", "+",
                "smtpd_restriction_classes", "strict, permissive",
                "strict", "reject_unauth_destination, check_sender_access inline:{a=b, c=d}",
                "permissive", "permit"));
        assertEquals(550, m.accessMapRejectCode());
        assertEquals(451, m.accessMapDeferCode());
        assertEquals("<nullsender>", m.smtpdNullAccessLookupKey());
        assertEquals("+", m.recipientDelimiter());
        assertEquals(List.of("strict", "permissive"), List.copyOf(m.smtpdRestrictionClasses().keySet()));
        assertEquals(List.of("reject_unauth_destination", "check_sender_access", "inline:{a=b, c=d}"),
                m.smtpdRestrictionClasses().get("strict"));
    }

    @Test
    void aClassNeedsADefinition() {
        var e = assertThrows(ConfigException.class, () -> build(Map.of("smtpd_restriction_classes", "strict")));
        assertEquals("restriction class `strict' needs a definition", e.getMessage());
    }
}
