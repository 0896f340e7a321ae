package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.smarthost.protocol.client.PostfixText.DEFAULT_DELAY_RESOLUTION;

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

    /** delay= at Postfix's default delay_logging_resolution_limit. */
    private static String delay(long millis) {
        return PostfixText.delay(Duration.ofMillis(millis), DEFAULT_DELAY_RESOLUTION);
    }

    @Test
    void delayFormatRoundsToTwoSignificantDigitsAndTwoDecimalsAsPostfixDoes() {
        assertEquals("0", delay(3));
        assertEquals("0.01", delay(6)); // rounded, not cut off
        assertEquals("0.01", delay(10));
        assertEquals("0.02", delay(17));
        assertEquals("0.06", delay(59));
        assertEquals("0.1", delay(100));
        assertEquals("0.28", delay(278));
        assertEquals("0.29", delay(290));
        assertEquals("1", delay(996));
        assertEquals("1.1", delay(1_099));
        assertEquals("1.3", delay(1_349));
        assertEquals("2", delay(2_000));
        assertEquals("10", delay(9_999));
        assertEquals("15", delay(14_900));
        assertEquals("128", delay(128_400));
        assertEquals("0", delay(-5));
        assertEquals("0.04/0/0.03/0.08", PostfixText.delays(Duration.ofMillis(40), Duration.ZERO,
                Duration.ofMillis(30), Duration.ofMillis(80), 2));
    }

    @Test
    void delayLoggingResolutionLimitSetsTheDigitsAfterThePoint() {
        assertEquals("0.017", PostfixText.delay(Duration.ofMillis(17), 3));
        assertEquals("0.0012", PostfixText.delay(Duration.ofMillis(1).plusNanos(234_000), 6));
        assertEquals("0", PostfixText.delay(Duration.ofMillis(17), 0));
        assertEquals("1", PostfixText.delay(Duration.ofMillis(1_349), 0));
        assertEquals("2", PostfixText.delay(Duration.ofMillis(1_500), 0));
    }

    /** The cases of Postfix's own format_tv.ref (2 and 1 significant digits, 6 decimals at most). */
    @Test
    void formatTimeAgreesWithPostfixsReferenceCases() {
        String[][] cases = {
            {"1110", "2", "1110"}, {"111", "2", "111"}, {"11.1", "2", "11"}, {"1.11", "2", "1.1"},
            {"0.111", "2", "0.11"}, {"0.0111", "2", "0.011"}, {"0.00111", "2", "0.0011"},
            {"0.000111", "2", "0.00011"}, {"0.000011", "2", "0.000011"},
            {"1000", "2", "1000"}, {"10", "2", "10"}, {"1", "2", "1"}, {"0.1", "2", "0.1"}, {"0.01", "2", "0.01"},
            {"0.001", "2", "0.001"}, {"0.00001", "2", "0.00001"}, {"0.000001", "2", "0.000001"},
            {"996", "2", "996"}, {"99.6", "2", "100"}, {"9.96", "2", "10"}, {"0.996", "2", "1"},
            {"0.0996", "2", "0.1"}, {"0.00996", "2", "0.01"}, {"0.000996", "2", "0.001"},
            {"1110", "1", "1110"}, {"11.1", "1", "11"}, {"1.11", "1", "1"}, {"0.111", "1", "0.1"},
            {"0.0111", "1", "0.01"}, {"0.000011", "1", "0.00001"}, {"99.6", "1", "100"}, {"9.96", "1", "10"},
            {"0.996", "1", "1"}, {"0.000996", "1", "0.001"},
        };
        for (String[] c : cases) {
            long micros = new java.math.BigDecimal(c[0]).movePointRight(6).longValueExact();
            assertEquals(c[2], PostfixText.formatTime(micros / 1_000_000, micros % 1_000_000,
                    Integer.parseInt(c[1]), 6), c[0] + " with " + c[1] + " significant digits");
        }
    }
}
