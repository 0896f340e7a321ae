package org.smarthost.protocol.smtpd.restrictions;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smarthost.config.InetText;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** access(5) lookup keys in Postfix's order; "~" marks a partial key (not asked of pattern tables). */
class AccessKeysTest {

    private static List<String> show(List<AccessKeys.Key> keys) {
        return keys.stream().map(k -> (k.partial() ? "~" : "") + k.key()).toList();
    }

    @Test
    void domainAndParentsInBothStyles() {
        assertEquals(List.of("mail.sub.example.com", "~sub.example.com", "~example.com", "~com"),
                show(AccessKeys.domain("mail.sub.example.com", true)));
        assertEquals(List.of("mail.sub.example.com", "~.sub.example.com", "~.example.com", "~.com"),
                show(AccessKeys.domain("mail.sub.example.com", false)));
        assertEquals(List.of("unknown"), show(AccessKeys.domain("unknown", true)));
        // A numerical name has no parent domains.
        assertEquals(List.of("192.0.2.1"), show(AccessKeys.domain("192.0.2.1", true)));
        assertEquals(List.of("2001:db8::1"), show(AccessKeys.domain("2001:db8::1", true)));
        // A HELO name may end in "."
        assertEquals(List.of("example.com.", "~com."), show(AccessKeys.domain("example.com.", true)));
    }

    @Test
    void addressAndItsNetworks() {
        assertEquals(List.of("192.0.2.1", "~192.0.2", "~192.0", "~192"), show(AccessKeys.address("192.0.2.1")));
        assertEquals(List.of("2001:db8::1", "~2001:db8:", "~2001:db8", "~2001"), show(AccessKeys.address("2001:db8::1")));
    }

    @Test
    void mailAddressKeys() {
        assertEquals(List.of("user@mail.example.com", "~mail.example.com", "~example.com", "~com", "~user@"),
                show(AccessKeys.mail("user@mail.example.com", "", true)));
        assertEquals(List.of("user+ext@example.com", "~user@example.com", "~example.com", "~com", "~user+ext@", "~user@"),
                show(AccessKeys.mail("user+ext@example.com", "+", true)));
        assertEquals(List.of("user@example.com", "~example.com", "~.com", "~user@"),
                show(AccessKeys.mail("user@example.com", "+", false)));
        assertEquals(List.of("user"), show(AccessKeys.mail("user", "", true)));
    }

    @Test
    void extensionsAsPostfixStripsThem() {
        assertEquals("user@example.com", AccessKeys.stripExtension("user+a+b@example.com", "+"));
        assertEquals("user@example.com", AccessKeys.stripExtension("user-a@example.com", "+-"));
        assertNull(AccessKeys.stripExtension("user@example.com", "+"));
        assertNull(AccessKeys.stripExtension("+user@example.com", "+"));
        assertNull(AccessKeys.stripExtension("user+a@example.com", ""));
        assertNull(AccessKeys.stripExtension("owner-list@example.com", "-"));
        assertNull(AccessKeys.stripExtension("list-request@example.com", "-"));
        assertEquals("owner@example.com", AccessKeys.stripExtension("owner+list@example.com", "+"));
        assertNull(AccessKeys.stripExtension("postmaster@example.com", "a"));
        assertNull(AccessKeys.stripExtension("MAILER-DAEMON@example.com", "-"));
    }

    @Test
    void clientAddressesAsInetNtopPrintsThem() throws Exception {
        assertEquals("192.0.2.1", InetText.ntop(InetAddress.getByName("192.0.2.1")));
        assertEquals("::1", InetText.ntop(InetAddress.getByName("::1")));
        assertEquals("2001:db8::1", InetText.ntop(InetAddress.getByName("2001:0DB8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", InetText.ntop(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:0:0:1::1", InetText.ntop(InetAddress.getByName("2001:0:0:1:0:0:0:1")));
        assertEquals("192.0.2.1", InetText.ntop(InetAddress.getByName("::ffff:192.0.2.1")));
    }
}
