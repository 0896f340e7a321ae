package org.smarthost.protocol.smtpd.restrictions;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
