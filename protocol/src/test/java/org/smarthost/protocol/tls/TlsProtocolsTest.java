package org.smarthost.protocol.tls;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TlsProtocolsTest {

    @Test
    void postfixDefaultAllowsEveryTlsVersion() {
        assertEquals(List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"), TlsProtocols.enabled(">=TLSv1"));
    }

    @Test
    void boundsCutTheRange() {
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), TlsProtocols.enabled(">=TLSv1.2"));
        assertEquals(List.of("TLSv1.2"), TlsProtocols.enabled(">=TLSv1.2, <=TLSv1.2"));
    }

    @Test
    void exclusionsInTheOldSyntax() {
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), TlsProtocols.enabled("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"));
        assertEquals(List.of("TLSv1.3"), TlsProtocols.enabled("!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.2"));
    }

    @Test
    void plainNamesListTheOnlyOnesAllowed() {
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), TlsProtocols.enabled("TLSv1.3 tlsv1.2"));
    }

    @Test
    void unknownWordsAndEmptyResultsAreInvalid() {
        var e = assertThrows(IllegalArgumentException.class, () -> TlsProtocols.enabled(">=TLSv1.4"));
        assertEquals("Invalid TLS protocol list \">=TLSv1.4\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TlsProtocols.enabled("SSLv3"));
        assertThrows(IllegalArgumentException.class, () -> TlsProtocols.enabled(">=TLSv1.3 <=TLSv1.2"));
    }
}
