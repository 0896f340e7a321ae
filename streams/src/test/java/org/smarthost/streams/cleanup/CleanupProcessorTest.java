package org.smarthost.streams.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The processor on its own, as smtpd's held small mail uses it (compared with the stage in CleanupStageTest). */
class CleanupProcessorTest {

    @Test
    void theResultIsKnownOnlyAtTheEnd() {
        CleanupProcessor p = new CleanupProcessor(CleanupStageTest.settings(),
                CleanupStageTest.env(List.of("rcpt@example.net"), false));
        p.push(ByteString.fromString("Subject: x\r\n", StandardCharsets.UTF_8));
        assertThrows(IllegalStateException.class, p::result);
    }

    @Test
    void tooManyHopsIsThrown() {
        CleanupProcessor p = new CleanupProcessor(CleanupStageTest.settings(),
                CleanupStageTest.env(List.of("rcpt@example.net"), false));
        CleanupRejected r = assertThrows(CleanupRejected.class,
                () -> p.push(ByteString.fromString("Received: x\r\n".repeat(60) + "\r\n", StandardCharsets.UTF_8)));
        assertEquals(554, r.code());
    }

    @Test
    void aFoldedMessageIdIsUnfoldedForTheLogAndTheResultButStoredAsReceived() {
        CleanupProcessor p = new CleanupProcessor(CleanupStageTest.settings(),
                CleanupStageTest.env(List.of("rcpt@example.net"), false));
        String headers = "Message-Id:\r\n\t <folded@example.org>\r\nSubject: x\r\n\r\nbody\r\n";
        String out = p.push(ByteString.fromString(headers, StandardCharsets.UTF_8)).concat(p.finish()).utf8String();
        assertEquals("<folded@example.org>", p.result().messageId());
        assertTrue(out.contains("Message-Id:\r\n\t <folded@example.org>\r\n"), out);
    }
}
