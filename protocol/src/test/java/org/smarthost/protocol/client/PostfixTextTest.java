package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostfixTextTest {

    @Test
    void relayAndSaid() {
        Relay relay = new Relay("mx.example.com", "192.0.2.1", 25);
        assertEquals("mx.example.com[192.0.2.1]:25", PostfixText.relay(relay));
        assertEquals("mail.example.com[private/dovecot-lmtp]",
                PostfixText.relay(new Relay("mail.example.com", "private/dovecot-lmtp", -1)));
        assertEquals("none", PostfixText.relay(Relay.NONE));
        ServerReply reply = new ServerReply(550, List.of("5.1.1 <u@example.com>: Recipient address rejected: User unknown"));
        assertEquals("host mx.example.com[192.0.2.1] said: 550 5.1.1 <u@example.com>: Recipient address rejected: "
                + "User unknown (in reply to RCPT TO command)", PostfixText.said(relay, reply, "RCPT TO command"));
        assertEquals("connect to mx.example.com[192.0.2.1]:25: Connection refused",
                PostfixText.connectFailed(relay, "Connection refused"));
        assertEquals("conversation with mx.example.com[192.0.2.1] timed out while sending RCPT TO",
                PostfixText.timedOut(relay, "sending RCPT TO"));
    }

    @Test
    void replyStatus() {
        assertEquals("5.1.1", new ServerReply(550, List.of("5.1.1 nope")).dsn());
        assertEquals("5.0.0", new ServerReply(550, List.of("no enhanced code")).dsn());
        assertEquals("4.0.0", new ServerReply(450, List.of("5.1.1 class mismatch")).dsn());
        assertEquals("250-first 250 second", new ServerReply(250, List.of("first", "second")).text());
    }

    @Test
    void delayFormat() {
        assertEquals("0", PostfixText.delay(Duration.ofMillis(3)));
        assertEquals("0.01", PostfixText.delay(Duration.ofMillis(10)));
        assertEquals("0.27", PostfixText.delay(Duration.ofMillis(278)));
        assertEquals("0.1", PostfixText.delay(Duration.ofMillis(100)));
        assertEquals("1.3", PostfixText.delay(Duration.ofMillis(1_349)));
        assertEquals("2", PostfixText.delay(Duration.ofMillis(2_000)));
        assertEquals("14", PostfixText.delay(Duration.ofMillis(14_900)));
        assertEquals("0.29", PostfixText.delay(Duration.ofMillis(290))); // no floating-point truncation to 0.28
        assertEquals("0.05", PostfixText.delay(Duration.ofMillis(59)));
        assertEquals("1", PostfixText.delay(Duration.ofMillis(1_099)));
        assertEquals("9.9", PostfixText.delay(Duration.ofMillis(9_999)));
        assertEquals("0", PostfixText.delay(Duration.ofMillis(-5)));
        assertEquals("0.04/0/0.03/0.08", PostfixText.delays(Duration.ofMillis(40), Duration.ZERO,
                Duration.ofMillis(30), Duration.ofMillis(80)));
    }
}
