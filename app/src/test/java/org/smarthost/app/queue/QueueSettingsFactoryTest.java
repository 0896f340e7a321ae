package org.smarthost.app.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smarthost.actors.queue.QueueSettings;

class QueueSettingsFactoryTest {

    @Test
    void parsesPostfixValuesAndFallsBackToDefaults() {
        Map<String, String> mainCf = Map.of(
                "myhostname", "mx.example.com",
                "maximal_queue_lifetime", "2",          // default unit: days
                "minimal_backoff_time", "10m",
                "always_add_missing_headers", "yes",
                "mynetworks", "127.0.0.0/8, [::1]/128 192.0.2.0/24",
                "message_size_limit", "0");
        QueueSettings s = QueueSettingsFactory.fromParameters(mainCf::get, Path.of("/q"), Path.of("/q/db"));
        assertEquals("mx.example.com", s.myhostname());
        assertEquals("Postfix", s.mailName());
        assertEquals(Duration.ofDays(2), s.maximalQueueLifetime());
        assertEquals(Duration.ofMinutes(10), s.minimalBackoffTime());
        assertEquals(Duration.ofSeconds(4000), s.maximalBackoffTime());
        assertTrue(s.alwaysAddMissingHeaders());
        assertEquals(List.of("127.0.0.0/8", "[::1]/128", "192.0.2.0/24"), s.mynetworks());
        assertEquals(0, s.messageSizeLimit());
        assertEquals(50, s.hopcountLimit());
        assertEquals(List.of("permit_inet_interfaces"), s.localHeaderRewriteClients());
    }

    @Test
    void badValuesAreReportedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QueueSettingsFactory.fromParameters(Map.of("queue_run_delay", "5x")::get, Path.of("/q"),
                        Path.of("/q/db")));
        assertEquals("bad time configuration: queue_run_delay = 5x", e.getMessage());
    }
}
