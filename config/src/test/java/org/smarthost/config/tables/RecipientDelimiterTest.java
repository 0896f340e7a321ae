package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RecipientDelimiterTest {

    @Test
    void stripsTheExtensionAsPostfixStripAddr() {
        assertEquals("user@example.com", RecipientDelimiter.strip("user+a+b@example.com", "+"));
        assertEquals("user@example.com", RecipientDelimiter.strip("user-a@example.com", "+-"));
        assertNull(RecipientDelimiter.strip("user@example.com", "+"));
        assertNull(RecipientDelimiter.strip("+user@example.com", "+"));
        assertNull(RecipientDelimiter.strip("user+a@example.com", ""));
        assertNull(RecipientDelimiter.strip("owner-list@example.com", "-"));
        assertNull(RecipientDelimiter.strip("list-request@example.com", "-"));
        assertEquals("owner@example.com", RecipientDelimiter.strip("owner+list@example.com", "+"));
        assertNull(RecipientDelimiter.strip("postmaster@example.com", "a"));
        assertNull(RecipientDelimiter.strip("MAILER-DAEMON@example.com", "-"));
    }
}
