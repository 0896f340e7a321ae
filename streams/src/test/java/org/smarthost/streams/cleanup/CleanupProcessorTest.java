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

    /** smtpd hands the processor one ByteString made of the pieces it read: any split gives the same output. */
    @Test
    void contentInAnyNumberOfPiecesGivesTheSameOutput() {
        CleanupSettings s = new CleanupSettings("h", "Postfix", 50, 100, 0, java.time.ZoneId.of("UTC"));
        // content, and how the output must end
        String[][] cases = {
            // a long first line that is no header: the body, whole
            {"b".repeat(5000) + "\r\nmore\r\n", "b".repeat(5000) + "\r\nmore\r\n"},
            // a header longer than header_size_limit: truncated, the rest intact
            {"X-Long: " + "a".repeat(300) + "\r\nSubject: s\r\n\tfolded\r\n\r\nbody\r\n.dot\r\n",
                "Subject: s\r\n\tfolded\r\n\r\nbody\r\n.dot\r\n"},
            // a long non-header line after a header: the body, whole
            {"Subject: s\r\n" + "c".repeat(150) + "\r\nrest\r\n", "c".repeat(150) + "\r\nrest\r\n"},
        };
        for (String[] c : cases) {
            String content = c[0];
            String whole = clean(s, ByteString.fromString(content, StandardCharsets.UTF_8));
            assertTrue(whole.endsWith(c[1]), whole);
            for (int piece : new int[] {1, 7, 99, 100, 101, 102, 4096}) {
                ByteString pieces = ByteString.emptyByteString();
                for (int i = 0; i < content.length(); i += piece) {
                    pieces = pieces.concat(ByteString.fromString(
                            content.substring(i, Math.min(content.length(), i + piece)), StandardCharsets.UTF_8));
                }
                assertEquals(whole, clean(s, pieces), "pieces of " + piece);
            }
        }
    }

    private static String clean(CleanupSettings s, ByteString content) {
        CleanupProcessor p = new CleanupProcessor(s, CleanupStageTest.env(List.of("rcpt@example.net"), false));
        return p.push(content).concat(p.finish()).utf8String();
    }
}
