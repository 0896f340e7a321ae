package org.smarthost.protocol.smtpd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DATA and BDAT content: dot-unstuffing, line endings, smuggling, size limits, pipelining. */
class SmtpdDataTest extends SmtpdTestSupport {

    /** Postfix 3.9 defaults, but with 127.0.0.1 not excluded from smtpd_forbid_bare_newline. */
    static SmtpdSettings strict(String mode) {
        return withProtocolChecks(defaults(), false, mode, List.of(), true);
    }

    @Test
    void dotUnstuffingAndExactContent() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        String body = "From: a@example.org\r\nSubject: dots\r\n\r\n..leading dot\r\n...\r\n.\t.\r\nlast line\r\n";
        String r = c.cmd(body + ".");
        var m = awaitMessage(0);
        assertEquals("250 2.0.0 Ok: queued as " + m.queueId(), r);
        assertEquals("From: a@example.org\r\nSubject: dots\r\n\r\n.leading dot\r\n..\r\n\t.\r\nlast line\r\n", m.text());
    }

    @Test
    void emptyMessageAndEightBitBytesArePreserved() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        assertTrue(c.cmd(".").startsWith("250 2.0.0 Ok: queued as "));
        assertEquals(0, awaitMessage(0).bytes().length);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.org>"));
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        byte[] body = {'h', (byte) 0xe9, (byte) 0xff, 0, 'x', '\r', '\n'};
        c.send(body);
        assertTrue(c.cmd(".").startsWith("250 2.0.0 Ok: queued as "));
        assertArrayEquals(body, awaitMessage(1).bytes());
    }

    /**
     * SMTP smuggling: none of these may end DATA. With the default (normalize) the would-be
     * terminator is dropped, bare LFs become CRLF, and the "smuggled" commands stay content.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r", "\r\n.\r", "\r.\r\n", ".\r\r\n"})
    void smugglingSequencesNeverEndData(String terminator) throws Exception {
        SmtpServer server = start(strict("normalize"));
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        String smuggled = "Subject: one\r\n\r\nbody" + terminator
                + "MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: two\r\n\r\nsmuggled\r\n";
        c.send(smuggled);
        String r = c.cmd(".");
        var m = awaitMessage(0);
        assertEquals("250 2.0.0 Ok: queued as " + m.queueId(), r);
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        assertEquals(1, receiver.committed.size());
        assertEquals(1, receiver.opened.size());
        String text = m.text();
        assertTrue(text.contains("MAIL FROM:<evil@example.org>\r\n"), text);
        assertTrue(text.endsWith("smuggled\r\n"), text);
        assertTrue(!text.contains("\n.\n") && !text.contains("\r\n.\r\n"), text);
    }

    @Test
    void bareLineFeedsAreNormalized() throws Exception {
        SmtpServer server = start(strict("normalize"));
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        c.send("a\nb\r\nc\rd\r\n");
        assertTrue(c.cmd(".").startsWith("250 "));
        // Bare LF becomes CRLF; a bare CR stays content (cleanup deals with it), as in Postfix.
        assertEquals("a\r\nb\r\nc\rd\r\n", awaitMessage(0).text());
    }

    @Test
    void bareNewlineRejectModeRejectsAfterData() throws Exception {
        SmtpServer server = start(strict("reject"));
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        c.send("a\nb\r\n");
        assertEquals("550 5.5.2 " + HOST + " Error: bare <LF> received", c.cmd("."));
        assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        assertEquals(0, receiver.committed.size());
        assertEquals(1, receiver.aborted.size());
        // A command ending in a bare LF is rejected and the session ends.
        c.send("NOOP\n");
        assertEquals("550 5.5.2 " + HOST + " Error: bare <LF> received", c.reply());
        assertTrue(c.closedByServer());
    }

    @Test
    void bareNewlineNoModeAndExcludedClientsAcceptLegacyTerminator() throws Exception {
        // 127.0.0.1 is in the default smtpd_forbid_bare_newline_exclusions ($mynetworks).
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        c.send("legacy\n.\n");
        assertTrue(c.reply().startsWith("250 2.0.0 Ok: queued as "));
        assertEquals("legacy\r\n", awaitMessage(0).text());
    }

    @Test
    void longLinesArePassedOnAndNeverMistakenForTheTerminator() throws Exception {
        SmtpServer server = start(withLimits(defaults(), 10_240_000, 100, 1000, 20, 10, Duration.ofSeconds(1), 100));
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        String longLine = "x".repeat(99) + "." + "y".repeat(250);
        String dotAtContinuation = "z".repeat(100) + ".";
        c.send(longLine + "\r\n" + dotAtContinuation + "\r\n");
        assertTrue(c.cmd(".").startsWith("250 "));
        assertEquals(longLine + "\r\n" + dotAtContinuation + "\r\n", awaitMessage(0).text());
    }

    @Test
    void oversizedMessageIsRejectedAndDiscarded() throws Exception {
        SmtpServer server = start(withLimits(defaults(), 1000, 2048, 1000, 20, 10, Duration.ofSeconds(1), 100));
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        for (int i = 0; i < 50; i++) c.send("0123456789".repeat(5) + "\r\n");
        assertEquals("552 5.3.4 Error: message file too big", c.cmd("."));
        assertEquals(0, receiver.committed.size());
        assertEquals(1, receiver.aborted.size());
        logs.await(l -> l.matches("warning: 4Test\\d+Z: queue file size limit exceeded"));
        // The session goes on: a message within the limit is accepted.
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org> SIZE=500"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.org>"));
        c.cmd("DATA");
        assertTrue(c.cmd("small\r\n.").startsWith("250 "));
    }

    @Test
    void largeMessageIsStreamedInChunks() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 80_000; i++) sb.append("line ").append(i).append(" of a large message\r\n");
        c.send(sb.toString());
        assertTrue(c.cmd(".").startsWith("250 "));
        assertEquals(sb.toString(), awaitMessage(0).text());
        assertTrue(receiver.maxChunk.get() <= 128 * 1024, "chunk " + receiver.maxChunk.get());
    }

    @Test
    void pipelinedTransactionsAfterEhlo() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = ehlo(server);
        c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n");
        assertEquals("250 2.1.0 Ok", c.reply());
        assertEquals("250 2.1.5 Ok", c.reply());
        assertEquals("250 2.1.5 Ok", c.reply());
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.reply());
        // Next transaction and QUIT pipelined right after the terminator.
        c.send("first\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<d@example.org>\r\nBDAT 8\r\nsecond\r\nBDAT 0 LAST\r\nQUIT\r\n");
        assertTrue(c.reply().startsWith("250 2.0.0 Ok: queued as "));
        assertEquals("250 2.1.0 Ok", c.reply());
        assertEquals("250 2.1.5 Ok", c.reply());
        assertEquals("250 2.0.0 Ok: 8 bytes", c.reply());
        String r = c.reply();
        assertTrue(r.matches("250 2\\.0\\.0 Ok: 8 bytes queued as 4Test\\d+Z"), r);
        assertEquals("221 2.0.0 Bye", c.reply());
        assertEquals("first\r\n", awaitMessage(0).text());
        assertEquals("second\r\n", awaitMessage(1).text());
        assertEquals(List.of("d@example.org"), awaitMessage(1).recipients().stream().map(RcptTo::address).toList());
    }

    @Test
    void everythingInOnePacketWhenPipeliningIsNotEnforced() throws Exception {
        SmtpServer server = start(withProtocolChecks(defaults(), false, "normalize", defaults().access().mynetworks(), false));
        SmtpTestClient c = connect(server);
        c.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n");
        assertEquals("220 " + HOST + " ESMTP Postfix", c.reply());
        assertTrue(c.reply().endsWith("250 CHUNKING"));
        assertEquals("250 2.1.0 Ok", c.reply());
        assertEquals("250 2.1.5 Ok", c.reply());
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.reply());
        assertTrue(c.reply().startsWith("250 2.0.0 Ok: queued as "));
        assertEquals("221 2.0.0 Bye", c.reply());
        assertEquals("hello\r\n", awaitMessage(0).text());
        logs.await(l -> l.equals("improper command pipelining after EHLO from localhost[127.0.0.1]: "
                + "MAIL FROM:<a@example.org>\\r\\nRCPT TO:<b@example.org>\\r\\nDATA\\r\\nhello\\r\\n.\\r\\nQUIT\\r\\n"));
    }

    @Test
    void unauthPipeliningIsRefused() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = connect(server);
        c.reply();
        c.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
        assertEquals("554 5.5.0 Error: SMTP protocol synchronization", c.reply());
        assertTrue(c.closedByServer());
        // DATA with content in the same packet.
        SmtpTestClient d = envelope(server);
        d.send("DATA\r\nSubject: x\r\n\r\n.\r\n");
        assertEquals("554 5.5.0 Error: SMTP protocol synchronization", d.reply());
        assertTrue(d.closedByServer());
        assertEquals(0, receiver.committed.size());
        // HELO clients may not pipeline at all.
        SmtpTestClient h = connect(server);
        h.reply();
        assertEquals("250 " + HOST, h.cmd("HELO c"));
        h.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n");
        assertEquals("554 5.5.0 Error: SMTP protocol synchronization", h.reply());
    }

    @Test
    void bdatChunksAreNotDotUnstuffed() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        byte[] chunk1 = "Subject: b\r\n\r\n.dot\r\npart".getBytes(StandardCharsets.UTF_8);
        c.send("BDAT " + chunk1.length + "\r\n");
        c.send(chunk1);
        assertEquals("250 2.0.0 Ok: " + chunk1.length + " bytes", c.reply());
        assertEquals("503 5.5.1 Error: DATA after BDAT", c.cmd("DATA"));
        // Postfix checks "nested MAIL" before "MAIL after BDAT".
        assertEquals("503 5.5.1 Error: nested MAIL command", c.cmd("MAIL FROM:<x@example.org>"));
        assertEquals("503 5.5.1 Error: RCPT after BDAT", c.cmd("RCPT TO:<x@example.org>"));
        c.send("BDAT 10 LAST\r\nial\r\n.\r\n\r\n");
        String r = c.reply();
        var m = awaitMessage(0);
        assertEquals("250 2.0.0 Ok: " + (chunk1.length + 10) + " bytes queued as " + m.queueId(), r);
        assertEquals("Subject: b\r\n\r\n.dot\r\npartial\r\n.\r\n\r\n", m.text());
        assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
    }

    @Test
    void bdatOverTheSizeLimitIsSkippedAndLaterChunksDiscarded() throws Exception {
        SmtpServer server = start(withLimits(defaults(), 100, 2048, 1000, 20, 10, Duration.ofSeconds(1), 100));
        SmtpTestClient c = envelope(server);
        c.send("BDAT 60\r\n" + "a".repeat(60));
        assertEquals("250 2.0.0 Ok: 60 bytes", c.reply());
        c.send("BDAT 60\r\n" + "b".repeat(60));
        assertEquals("552 5.3.4 Chunk exceeds message size limit", c.reply());
        c.send("BDAT 5 LAST\r\nccccc");
        assertEquals("551 5.0.0 Discarded 5 bytes after earlier error", c.reply());
        assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        assertEquals(0, receiver.committed.size());
        assertEquals(1, receiver.aborted.size());
    }
}
