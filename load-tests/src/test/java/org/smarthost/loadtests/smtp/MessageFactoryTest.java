package org.smarthost.loadtests.smtp;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageFactoryTest {

    private final Envelope envelope = new Envelope("a@example.org", List.of("b@example.net"));
    private final MessageFactory factory = new MessageFactory(2_000_000, "loadgen.localdomain");

    @ParameterizedTest
    @ValueSource(ints = {1, 300, 2048, 102_400, 1_000_000, 2_000_000})
    void makesWellFormedMessagesOfTheAskedSize(int size) {
        ByteBuf message = factory.message(size, envelope);
        try {
            String text = message.toString(StandardCharsets.US_ASCII);
            int header = text.indexOf("\r\n\r\n") + 4;
            assertTrue(header > 4, "header/body separator");
            if (size > header) {
                assertTrue(Math.abs(text.length() - size) <= 2, "size " + text.length() + " for " + size);
            }
            assertTrue(text.endsWith("\r\n"), "ends with CRLF before the terminating dot");
            assertFalse(text.contains("\r\n."), "no line needs dot-stuffing");
            for (String line : text.split("\r\n")) {
                assertTrue(line.length() <= 998, "RFC 5322 line length");
            }
            assertFalse(text.replace("\r\n", "").contains("\r") || text.replace("\r\n", "").contains("\n"),
                    "bare CR or LF");
        } finally {
            message.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2048})
    void givesEachMessageItsOwnMessageId(int size) {
        ByteBuf a = factory.message(size, envelope);
        ByteBuf b = factory.message(size, envelope);
        try {
            assertFalse(messageId(a).equals(messageId(b)));
        } finally {
            a.release();
            b.release();
        }
    }

    private static String messageId(ByteBuf message) {
        String text = message.toString(StandardCharsets.US_ASCII);
        int start = text.indexOf("Message-ID: ");
        return text.substring(start, text.indexOf("\r\n", start));
    }
}
