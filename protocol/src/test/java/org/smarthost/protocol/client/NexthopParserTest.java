package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class NexthopParserTest {

    private static Nexthop smtp(String text) {
        return NexthopParser.parse(text, false, 25);
    }

    private static Nexthop lmtp(String text) {
        return NexthopParser.parse(text, true, 24);
    }

    @Test
    void smtpForms() {
        assertEquals(new Nexthop.Inet("example.com", 25, true), smtp("example.com"));
        assertEquals(new Nexthop.Inet("example.com", 2525, true), smtp("example.com:2525"));
        assertEquals(new Nexthop.Inet("example.com", 587, true), smtp("example.com:submission"));
        assertEquals(new Nexthop.Inet("relay.example.com", 25, false), smtp("[relay.example.com]"));
        assertEquals(new Nexthop.Inet("relay.example.com", 587, false), smtp("[relay.example.com]:587"));
        assertEquals(new Nexthop.Inet("192.0.2.1", 25, false), smtp("[192.0.2.1]"));
        assertEquals(new Nexthop.Inet("2001:db8::1", 2525, false), smtp("[ipv6:2001:db8::1]:2525"));
        assertEquals("[ipv6:2001:db8::1]:2525", smtp("[IPv6:2001:db8::1]:2525").toString());
        assertEquals("example.com:25", smtp("example.com").toString());
    }

    @Test
    void lmtpForms() {
        assertEquals(new Nexthop.Unix("/var/run/dovecot/lmtp"), lmtp("unix:/var/run/dovecot/lmtp"));
        assertEquals(new Nexthop.Inet("mailstore.example.com", 24, false), lmtp("inet:mailstore.example.com"));
        assertEquals(new Nexthop.Inet("mailstore.example.com", 2424, false), lmtp("inet:mailstore.example.com:2424"));
        assertEquals(new Nexthop.Inet("127.0.0.1", 24, false), lmtp("inet:[127.0.0.1]"));
        assertEquals(new Nexthop.Inet("::1", 24, false), lmtp("inet:[ipv6:::1]:lmtp"));
    }

    @Test
    void lists() {
        assertEquals(List.of(new Nexthop.Inet("a.example", 25, false), new Nexthop.Inet("b.example", 25, true)),
                NexthopParser.parseList("[a.example], b.example", false, 25));
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class, () -> smtp("[unclosed"));
        assertThrows(IllegalArgumentException.class, () -> smtp("example.com:notaport"));
        assertThrows(IllegalArgumentException.class, () -> smtp("example.com:70000"));
        assertThrows(IllegalArgumentException.class, () -> smtp("2001:db8::1"));
        assertThrows(IllegalArgumentException.class, () -> smtp("unix:/path"));
        assertThrows(IllegalArgumentException.class, () -> smtp("[host]x"));
        assertThrows(IllegalArgumentException.class, () -> NexthopParser.parseList(" , ", false, 25));
    }
}
