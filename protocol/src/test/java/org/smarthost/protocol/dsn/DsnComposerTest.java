package org.smarthost.protocol.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DsnComposerTest {

    private static final Instant ARRIVAL = Instant.parse("2026-01-05T10:30:41Z");
    private static final Instant NOW = Instant.parse("2026-01-06T08:00:00Z");
    private static final DsnSettings SETTINGS = new DsnSettings("mail.example.com", "example.com", "Postfix",
            50000, Duration.ofHours(4), Duration.ofDays(5), ZoneOffset.UTC);
    private static final String ORIGINAL = "Received: from client.example.com (client.example.com [192.0.2.9])\r\n"
            + "\tby mail.example.com (Postfix) with ESMTP id 4Xq1; Mon,  5 Jan 2026 10:30:41 +0000 (UTC)\r\n"
            + "From: Alice <alice@example.com>\r\n"
            + "To: bob@remote.test\r\n"
            + "Subject: lunch\r\n"
            + "Message-ID: <abc@example.com>\r\n"
            + "\r\n"
            + "See you at noon.\r\n"
            + "From: not a header, body text\r\n";
    private static final String REASON = "host mx.remote.test[192.0.2.1] said: 550 5.1.1 <bob@remote.test>: "
            + "Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)";
    private static final String REPLY = "550 5.1.1 <bob@remote.test>: Recipient address rejected: User unknown in"
            + " virtual mailbox table";

    private static DsnMessage message(String ret, long size) {
        return new DsnMessage("4Xq1", "alice@example.com", ARRIVAL, "ENV-42", ret, false, false, "<abc@example.com>",
                size);
    }

    private static String compose(DsnKind kind, DsnMessage m, List<DsnRecipient> rcpts, String original)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = original == null ? null : new ByteArrayInputStream(original.getBytes(StandardCharsets.UTF_8));
        new DsnComposer(SETTINGS).compose(kind, m, rcpts, in, NOW, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertFalse(text.replace("\r\n", "").contains("\n"), "every line ends in CRLF");
        return text;
    }

    private static DsnRecipient bob() {
        return DsnRecipient.remote("bob@remote.test", "rfc822;bob@remote.test", "failed", "5.1.1", REASON,
                "mx.remote.test", REPLY);
    }

    @Test
    void nonDeliveryReportHasPostfixShapeAndReturnsTheFullMessage() throws IOException {
        DsnRecipient carol = new DsnRecipient("carol@remote.test", "c@example.com", null, "failed", "5.4.4",
                "Host or domain name not found. Name service error for name=remote.test type=MX: Host not found",
                null, null, null);
        String text = compose(DsnKind.FAILURE, message(null, ORIGINAL.length()), List.of(bob(), carol), ORIGINAL);
        MiniMime mail = MiniMime.parse(text);

        assertEquals("MAILER-DAEMON@example.com (Mail Delivery System)", mail.header("From"));
        assertEquals("Undelivered Mail Returned to Sender", mail.header("Subject"));
        assertEquals("alice@example.com", mail.header("To"));
        assertEquals("<abc@example.com>", mail.header("In-Reply-To"));
        assertEquals("<abc@example.com>", mail.header("References"));
        assertEquals("auto-replied", mail.header("Auto-Submitted"));
        assertEquals("1.0", mail.header("MIME-Version"));
        assertEquals("7bit", mail.header("Content-Transfer-Encoding"));
        assertEquals("multipart/report; report-type=delivery-status; boundary=\"4Xq1." + NOW.getEpochSecond()
                + "/mail.example.com\"", mail.header("Content-Type"));
        assertTrue(mail.body().startsWith("This is a MIME-encapsulated message.\r\n"));
        assertEquals(3, mail.parts().size());

        MiniMime notification = mail.parts().get(0);
        assertEquals("Notification", notification.header("Content-Description"));
        assertEquals("text/plain; charset=us-ascii", notification.header("Content-Type"));
        String human = notification.body();
        assertTrue(human.startsWith("This is the mail system at host mail.example.com.\r\n\r\n"
                + "I'm sorry to have to inform you that your message could not\r\n"));
        assertTrue(human.contains("                   The mail system\r\n\r\n"
                + "<bob@remote.test>: host mx.remote.test[192.0.2.1] said: 550 5.1.1\r\n"
                + "    <bob@remote.test>: Recipient address rejected: User unknown in virtual\r\n"
                + "    mailbox table (in reply to RCPT TO command)\r\n"), human);
        assertTrue(human.contains("<carol@remote.test> (expanded from <c@example.com>): Host or domain name not"));
        for (String line : human.split("\r\n")) assertTrue(line.length() <= 79, line);

        MiniMime report = mail.parts().get(1);
        assertEquals("Delivery report", report.header("Content-Description"));
        assertEquals("message/delivery-status", report.header("Content-Type"));
        List<Map<String, String>> groups = report.fieldGroups();
        assertEquals(3, groups.size(), "per-message fields, then one group per recipient");
        Map<String, String> perMessage = groups.get(0);
        assertEquals(List.of("reporting-mta", "original-envelope-id", "x-postfix-queue-id", "x-postfix-sender",
                "arrival-date"), List.copyOf(perMessage.keySet()));
        assertEquals("dns; mail.example.com", perMessage.get("reporting-mta"));
        assertEquals("ENV-42", perMessage.get("original-envelope-id"));
        assertEquals("4Xq1", perMessage.get("x-postfix-queue-id"));
        assertEquals("rfc822; alice@example.com", perMessage.get("x-postfix-sender"));
        assertTrue(perMessage.get("arrival-date").startsWith("Mon,  5 Jan 2026 10:30:41 +0000 ("),
                perMessage.get("arrival-date"));
        Map<String, String> b = groups.get(1);
        assertEquals("rfc822; bob@remote.test", b.get("final-recipient"));
        assertEquals("rfc822;bob@remote.test", b.get("original-recipient"), "ORCPT verbatim");
        assertEquals("failed", b.get("action"));
        assertEquals("5.1.1", b.get("status"));
        assertEquals("dns; mx.remote.test", b.get("remote-mta"));
        assertEquals("smtp; " + REPLY, b.get("diagnostic-code"));
        Map<String, String> c = groups.get(2);
        assertEquals("rfc822; c@example.com", c.get("original-recipient"), "no ORCPT: the pre-rewrite address");
        assertNull(c.get("remote-mta"));
        assertTrue(c.get("diagnostic-code").startsWith("X-Postfix; Host or domain name not found."));

        MiniMime returned = mail.parts().get(2);
        assertEquals("Undelivered Message", returned.header("Content-Description"));
        assertEquals("message/rfc822", returned.header("Content-Type"));
        assertEquals("Return-Path: <alice@example.com>\r\n" + ORIGINAL, returned.body());
        assertTrue(text.endsWith("\r\n--4Xq1." + NOW.getEpochSecond() + "/mail.example.com--\r\n"));
    }

    @Test
    void retHdrsAndOversizedMessagesReturnHeadersOnly() throws IOException {
        for (DsnMessage m : List.of(message("HDRS", ORIGINAL.length()), message("FULL", 60_000))) {
            MiniMime returned = MiniMime.parse(compose(DsnKind.FAILURE, m, List.of(bob()), ORIGINAL)).parts().get(2);
            assertEquals("Undelivered Message Headers", returned.header("Content-Description"));
            assertEquals("text/rfc822-headers", returned.header("Content-Type"));
            assertTrue(returned.body().contains("Message-ID: <abc@example.com>\r\n"));
            assertFalse(returned.body().contains("See you at noon"), "no body with headers only");
            assertTrue(returned.body().contains("\tby mail.example.com (Postfix)"), "folded header kept");
        }
    }

    @Test
    void delayWarning() throws IOException {
        DsnRecipient bob = DsnRecipient.local("bob@remote.test", null, "delayed", "4.4.1",
                "connect to mx.remote.test[192.0.2.1]:25: Connection refused");
        MiniMime mail = MiniMime.parse(compose(DsnKind.DELAY, message(null, 100), List.of(bob), ORIGINAL));
        assertEquals("Delayed Mail (still being retried)", mail.header("Subject"));
        String human = mail.parts().get(0).body();
        assertTrue(human.contains("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #"));
        assertTrue(human.contains("Your message could not be delivered for more than 4 hour(s).\r\n"
                + "It will be retried until it is 5 day(s) old.\r\n"));
        assertTrue(human.contains("<bob@remote.test>: connect to mx.remote.test[192.0.2.1]:25: Connection refused"));
        Map<String, String> r = mail.parts().get(1).fieldGroups().get(1);
        assertEquals("delayed", r.get("action"));
        assertEquals("4.4.1", r.get("status"));
        assertEquals("X-Postfix; connect to mx.remote.test[192.0.2.1]:25: Connection refused", r.get("diagnostic-code"));
        assertTrue(r.get("will-retry-until").startsWith("Sat, 10 Jan 2026 10:30:41 +0000"));
        MiniMime returned = mail.parts().get(2);
        assertEquals("Undelivered Message Headers", returned.header("Content-Description"));
        assertFalse(returned.body().contains("See you at noon"));
    }

    @Test
    void successReport() throws IOException {
        DsnRecipient bob = DsnRecipient.remote("bob@remote.test", null, "relayed", "2.0.0",
                "delivery via mx.remote.test[192.0.2.1]:25: 250 2.0.0 Ok: queued as 123",
                "mx.remote.test", "250 2.0.0 Ok: queued as 123");
        MiniMime mail = MiniMime.parse(compose(DsnKind.SUCCESS, message(null, 100), List.of(bob), ORIGINAL));
        assertEquals("Successful Mail Delivery Report", mail.header("Subject"));
        assertTrue(mail.parts().get(0).body().contains("Your message was successfully delivered to the destination(s)"));
        assertEquals("relayed", mail.parts().get(1).fieldGroups().get(1).get("action"));
        assertEquals("Message Headers", mail.parts().get(2).header("Content-Description"));
    }

    @Test
    void eightBitAndSmtputf8() throws IOException {
        DsnMessage m = new DsnMessage("4Xq2", "jösé@example.com", ARRIVAL, null, null, true, true, null, 10);
        String original = "Subject: caf\u00e9\r\n\r\nd\u00e9j\u00e0 vu\r\n";
        MiniMime mail = MiniMime.parse(compose(DsnKind.FAILURE, m, List.of(bob()), original));
        assertEquals("8bit", mail.header("Content-Transfer-Encoding"));
        assertNull(mail.header("References"));
        assertEquals("text/plain; charset=utf-8", mail.parts().get(0).header("Content-Type"));
        assertEquals("message/global-delivery-status", mail.parts().get(1).header("Content-Type"));
        assertEquals("utf-8; jösé@example.com", mail.parts().get(1).fieldGroups().get(0).get("x-postfix-sender"));
        assertEquals("message/global", mail.parts().get(2).header("Content-Type"));
        assertTrue(mail.parts().get(2).body().contains("d\u00e9j\u00e0 vu"));
    }

    @Test
    void unavailableOriginalAndLoneLfInput() throws IOException {
        MiniMime mail = MiniMime.parse(compose(DsnKind.FAILURE, message(null, 0), List.of(bob()), null));
        assertEquals("\t--- Undelivered message unavailable ---\r\n", mail.parts().get(2).body());
        String lf = compose(DsnKind.FAILURE, message(null, 30), List.of(bob()), "Subject: x\n\nbody\n");
        assertTrue(lf.contains("Subject: x\r\n\r\nbody\r\n"), "LF-only content is sent with CRLF");
    }

    @Test
    void dateHeaderAndMessageIdWhenTheNewQueueIdIsKnown() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DsnComposer(SETTINGS).compose(DsnKind.FAILURE, message(null, 10), List.of(bob()), null, NOW, "4Yz9", out);
        MiniMime mail = MiniMime.parse(out.toString(StandardCharsets.UTF_8));
        assertEquals("<20260106080000.4Yz9@mail.example.com>", mail.header("Message-Id"));
        assertTrue(mail.header("Date").startsWith("Tue,  6 Jan 2026 08:00:00 +0000"));
    }

    @Test
    void streamsALargeOriginalWithoutBufferingIt() throws IOException {
        long bodyLines = 200_000;          // ~16 MB, produced on the fly
        InputStream big = new InputStream() {
            private final byte[] header = "Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            private final byte[] line = "0123456789012345678901234567890123456789012345678901234567890123456789012345\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            private long pos;

            @Override
            public int read() {
                long total = header.length + bodyLines * line.length;
                if (pos >= total) return -1;
                long p = pos++;
                return p < header.length ? header[(int) p] : line[(int) ((p - header.length) % line.length)];
            }
        };
        long[] written = {0};
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written[0] += len;
            }
        };
        DsnSettings unlimited = new DsnSettings("mail.example.com", "example.com", "Postfix", 0,
                Duration.ZERO, Duration.ofDays(5), ZoneOffset.UTC);
        new DsnComposer(unlimited).compose(DsnKind.FAILURE, message(null, 16_000_000), List.of(bob()), big, NOW, counter);
        assertTrue(written[0] > bodyLines * 78, "whole original returned: " + written[0]);
    }

    @Test
    void refusesNoticesToTheNullSender() {
        DsnMessage m = new DsnMessage("4Xq3", "", ARRIVAL, null, null, false, false, null, 10);
        assertThrows(IllegalArgumentException.class,
                () -> new DsnComposer(SETTINGS).compose(DsnKind.FAILURE, m, List.of(bob()), null, NOW,
                        OutputStream.nullOutputStream()));
    }

    @Test
    void quotesOddLocalPartsInTo() {
        assertEquals("\"john smith\"@example.com", DsnComposer.quoteLocal("john smith@example.com"));
        assertEquals("alice@example.com", DsnComposer.quoteLocal("alice@example.com"));
    }

    @Test
    void notifySelectsRecipients() {
        record R(String a, Set<String> n) { }
        List<R> rs = List.of(new R("none", Set.of()), new R("never", Set.of("NEVER")),
                new R("fail", Set.of("FAILURE")), new R("delay", Set.of("DELAY")),
                new R("success", Set.of("SUCCESS")), new R("all", Set.of("SUCCESS", "FAILURE", "DELAY")));
        assertEquals(List.of("none", "fail", "all"),
                DsnNotify.select(DsnKind.FAILURE, "s@x", rs, R::n).stream().map(R::a).toList());
        assertEquals(List.of("none", "delay", "all"),
                DsnNotify.select(DsnKind.DELAY, "s@x", rs, R::n).stream().map(R::a).toList());
        assertEquals(List.of("success", "all"),
                DsnNotify.select(DsnKind.SUCCESS, "s@x", rs, R::n).stream().map(R::a).toList());
        assertTrue(DsnNotify.select(DsnKind.FAILURE, "", rs, R::n).isEmpty(), "never notify the null sender");
    }

    @Test
    void lineWrapLikePostfix() {
        assertEquals(List.of("short"), LineWrap.wrap("short", 79, 4));
        String longWord = "x".repeat(100);
        assertEquals(List.of("a", "    " + longWord, "    b"), LineWrap.wrap("a " + longWord + " b", 79, 4));
        List<String> lines = LineWrap.wrap(REASON, 79, 4);
        assertEquals(String.join(" ", lines.stream().map(String::trim).toList()), REASON);
    }
}
