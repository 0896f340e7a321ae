package org.smarthost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    private static Config config(Map<String, String> main) {
        return Config.of(ParameterRegistry.standard(), Path.of("/etc/postfix"), main);
    }

    @Test
    void defaultsComeFromTheRegistryAndAreExpanded() {
        Config c = config(Map.of("myhostname", "mx.example.com"));
        assertEquals("Postfix", c.get("mail_name"));
        assertEquals("mx.example.com ESMTP Postfix", c.get("smtpd_banner"));
        assertEquals("example.com", c.get("mydomain"));
        assertEquals("mx.example.com", c.get("myorigin"));
        assertEquals(List.of("mx.example.com", "localhost.example.com", "localhost"), c.getList("mydestination"));
    }

    @Test
    void typedGetters() {
        Config c = config(Map.of(
                "message_size_limit", "52428800",
                "smtpd_recipient_limit", "250",
                "disable_vrfy_command", "YES",
                "maximal_queue_lifetime", "3",
                "minimal_backoff_time", "5m",
                "queue_run_delay", "1w"));
        assertEquals(52_428_800L, c.getSize("message_size_limit"));
        assertEquals(250, c.getInt("smtpd_recipient_limit"));
        assertTrue(c.getBool("disable_vrfy_command"));
        assertFalse(c.getBool("always_add_missing_headers"));
        assertEquals(Duration.ofDays(3), c.getTime("maximal_queue_lifetime"), "bare number uses the default unit d");
        assertEquals(Duration.ofMinutes(5), c.getTime("minimal_backoff_time"));
        assertEquals(Duration.ofDays(7), c.getTime("queue_run_delay"));
        assertEquals(Duration.ofSeconds(300), c.getTime("smtpd_timeout"), "${stress?...} default");
        assertEquals(20, c.getInt("smtpd_hard_error_limit"));
        assertEquals(Duration.ofDays(5), c.getTime("bounce_queue_lifetime"), "5d default");
    }

    @Test
    void badValuesFailWithPostfixWording() {
        Config c = config(Map.of("smtpd_recipient_limit", "many", "disable_vrfy_command", "perhaps",
                "queue_run_delay", "5x"));
        assertEquals("bad numerical configuration: smtpd_recipient_limit = many",
                assertThrows(ConfigException.class, () -> c.getInt("smtpd_recipient_limit")).getMessage());
        assertEquals("bad boolean configuration: disable_vrfy_command = perhaps",
                assertThrows(ConfigException.class, () -> c.getBool("disable_vrfy_command")).getMessage());
        assertEquals("parameter queue_run_delay: bad time value or unit: 5x",
                assertThrows(ConfigException.class, () -> c.getTime("queue_run_delay")).getMessage());
    }

    @Test
    void integersOutsideTheirRangeFailAsPostfixsGetMailConfInt() {
        assertEquals(2, config(Map.of()).getInt("delay_logging_resolution_limit", 0, 6));
        assertEquals(6, config(Map.of("delay_logging_resolution_limit", "6")).getInt("delay_logging_resolution_limit", 0, 6));
        assertEquals("invalid delay_logging_resolution_limit parameter value 7 > 6",
                assertThrows(ConfigException.class, () -> config(Map.of("delay_logging_resolution_limit", "7"))
                        .getInt("delay_logging_resolution_limit", 0, 6)).getMessage());
        assertEquals("invalid delay_logging_resolution_limit parameter value -1 < 0",
                assertThrows(ConfigException.class, () -> config(Map.of("delay_logging_resolution_limit", "-1"))
                        .getInt("delay_logging_resolution_limit", 0, 6)).getMessage());
    }

    @Test
    void unknownNamesAreProgrammingErrors() {
        Config c = config(Map.of());
        assertThrows(IllegalArgumentException.class, () -> c.get("no_such_parameter"));
        assertFalse(c.isKnown("no_such_parameter"));
    }

    @Test
    void userDefinedAndServiceDefinedNamesAreKnown() {
        Config c = config(Map.of("my_class", "permit_mynetworks, reject"));
        assertEquals(List.of("permit_mynetworks", "reject"), c.getList("my_class"));
        assertEquals(50, c.getInt("relay_destination_recipient_limit"));
        assertEquals(20, c.getInt("relay_destination_concurrency_limit"));
    }

    @Test
    void overridesWinAndSeeEachOther() {
        Config base = config(Map.of("smtpd_banner", "$myhostname base", "myhostname", "h.example"));
        Config svc = base.withOverrides(Map.of("smtpd_banner", "$myhostname $syslog_name", "syslog_name", "postfix/sub"));
        assertEquals("h.example postfix/sub", svc.get("smtpd_banner"));
        assertEquals("h.example base", base.get("smtpd_banner"));
    }

    @Test
    void compatibilityLevelDrivesDefaults() {
        assertEquals("subnet", config(Map.of()).get("mynetworks_style"));
        assertEquals("host", config(Map.of("compatibility_level", "3.6")).get("mynetworks_style"));
        assertEquals(List.of("permit_mynetworks", "permit_sasl_authenticated", "defer_unauth_destination"),
                config(Map.of("compatibility_level", "3.6")).getList("smtpd_relay_restrictions"));
        assertEquals("", config(Map.of("compatibility_level", "3.6")).get("relay_domains"));
    }

    @Test
    void rawParametersAreNotExpanded() {
        Config c = config(Map.of("smtpd_reject_footer", "contact $myhostname"));
        assertEquals("contact $myhostname", c.get("smtpd_reject_footer"));
    }

    @Test
    void listsKeepBraceGroups() {
        assertEquals(List.of("check_client_access", "inline:{ 1.2.3.4=OK, 5.6.7.8=REJECT }", "reject"),
                Config.splitList("check_client_access inline:{ 1.2.3.4=OK, 5.6.7.8=REJECT }, reject"));
    }

    @Test
    void hostDefaults() throws Exception {
        assertEquals("example.com", HostDefaults.mydomain("mx.example.com"));
        assertEquals("localdomain", HostDefaults.mydomain("localhost"));
        assertTrue(HostDefaults.myhostname(null).contains("."));
        assertEquals("fe80::1", InetText.ntop(java.net.InetAddress.getByName("fe80:0:0:0:0:0:0:1")));
        assertEquals("::1", InetText.ntop(java.net.InetAddress.getByName("0:0:0:0:0:0:0:1")));
        String host = HostDefaults.mynetworks("host", "ipv4");
        assertTrue(host.contains("127.0.0.1/32"), host);
        assertTrue(HostDefaults.mynetworks("class", "ipv4").contains("127.0.0.0/8"));
    }

    @Test
    void loadReadsMainCfAndSetsConfigDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.cf"), "myhostname = load.example\nprocess_id = 1\n");
        Config c = Config.load(dir);
        assertEquals("load.example", c.get("myhostname"));
        assertEquals(dir.toString(), c.get("config_directory"));
        assertEquals(Long.toString(ProcessHandle.current().pid()), c.get("process_id"), "read-only ignored");
    }

    @Test
    void implementationCheckListsUnimplementedSettings(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.cf"),
                "myhostname = a.example\nbiff = no\nrelay_destination_concurrency_limit = 5\nmy_class = reject\n");
        Config c = Config.load(dir);
        assertEquals(List.of("biff", "relay_destination_concurrency_limit"), ImplementationCheck.unimplementedSettings(c));
        assertEquals(dir + "/main.cf: parameter not implemented by smarthost: biff=no",
                ImplementationCheck.warnings(c).get(0));
    }
}
