package org.smarthost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class ParameterRegistryTest {
    private final ParameterRegistry registry = ParameterRegistry.standard();

    @Test
    void knowsEveryPostfix37BuiltinParameter() {
        assertEquals(831, registry.all().size());
        assertEquals("$myhostname ESMTP $mail_name", registry.get("smtpd_banner").defaultValue());
        assertEquals("10240000", registry.get("message_size_limit").defaultValue());
        for (Parameter p : registry.all()) {
            assertFalse(p.description().isBlank(), p.name());
        }
    }

    @Test
    void marksTheRequiredParametersImplemented() {
        List<String> required = List.of("queue_directory", "data_directory", "config_directory", "myhostname",
                "mydomain", "myorigin", "mydestination", "mynetworks", "mynetworks_style", "relay_domains",
                "inet_interfaces", "inet_protocols", "smtpd_banner", "mail_name", "smtpd_recipient_limit",
                "smtpd_timeout", "smtpd_hard_error_limit", "smtpd_soft_error_limit", "smtpd_error_sleep_time",
                "line_length_limit", "header_size_limit", "message_size_limit", "smtpd_forbid_bare_newline",
                "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "disable_vrfy_command",
                "always_add_missing_headers", "hopcount_limit", "maillog_file", "syslog_name",
                "default_process_limit", "relayhost", "default_transport", "relay_transport", "queue_run_delay",
                "minimal_backoff_time", "maximal_backoff_time", "maximal_queue_lifetime", "bounce_queue_lifetime",
                "enable_long_queue_ids", "compatibility_level");
        List<String> implemented = registry.implemented().stream().map(Parameter::name).collect(Collectors.toList());
        assertTrue(implemented.containsAll(required), "missing: " + required.stream()
                .filter(n -> !implemented.contains(n)).toList());
    }

    @Test
    void typesAndUnits() {
        assertEquals(ParameterType.TIME, registry.get("maximal_queue_lifetime").type());
        assertEquals('d', registry.get("maximal_queue_lifetime").timeUnit());
        assertEquals('s', registry.get("smtpd_timeout").timeUnit());
        assertEquals(ParameterType.BOOL, registry.get("disable_vrfy_command").type());
        assertEquals(ParameterType.SIZE, registry.get("message_size_limit").type());
        assertEquals(ParameterType.INT, registry.get("smtpd_hard_error_limit").type());
        assertEquals(ParameterType.LIST, registry.get("smtpd_relay_restrictions").type());
        assertTrue(registry.get("smtpd_reject_footer").raw());
        assertTrue(registry.get("process_id").readOnly());
        assertTrue(registry.get("myhostname").hostDependent());
    }

    @Test
    void serviceParametersFollowPostfixRules() {
        Map<String, String> relay = registry.serviceParameters("relay", "smtp");
        assertEquals(16, relay.size());
        assertEquals("$default_destination_concurrency_limit", relay.get("relay_destination_concurrency_limit"));
        assertFalse(relay.containsKey("relay_time_limit"));
        assertEquals("$command_time_limit", registry.serviceParameters("uucp", "pipe").get("uucp_time_limit"));
        assertEquals(Map.of("notify_time_limit", "$command_time_limit"), registry.serviceParameters("notify", "spawn"));
        assertTrue(registry.serviceParameters("local", "local").keySet().stream()
                .noneMatch(registry::isBuiltin), "built-in names such as local_destination_concurrency_limit are skipped");
        assertTrue(registry.serviceParameters("cleanup", "cleanup").isEmpty());
        assertEquals("default_destination_recipient_limit",
                registry.serviceParameterTemplate("relay_destination_recipient_limit").orElseThrow().name());
    }
}
