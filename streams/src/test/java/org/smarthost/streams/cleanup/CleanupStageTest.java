package org.smarthost.streams.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CleanupStageTest {

    static final ActorTestKit testKit = ActorTestKit.create();
    static final Instant ARRIVAL = Instant.parse("2026-11-25T17:07:33Z");
    static final String ID = "4jZR1x4WRhzJ9KH";

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    static CleanupSettings settings() {
        return new CleanupSettings("baseline.localdomain", "Postfix", 50, 102400, 10240000L, ZoneId.of("UTC"));
    }

    static CleanupEnvelope env(List<String> rcpts, boolean addMissing) {
        return new CleanupEnvelope(ID, ARRIVAL, "sender@example.com", rcpts, "helo.example", "localhost",
                "127.0.0.1", "ESMTP", addMissing);
    }

    /** Runs the message through cleanup in chunks of {@code chunk} bytes. */
    static Pair<String, CleanupResult> run(CleanupSettings s, CleanupEnvelope e, String message, int chunk)
            throws Exception {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        List<ByteString> chunks = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            chunks.add(ByteString.fromArray(bytes, i, Math.min(chunk, bytes.length - i)));
        }
        Pair<CompletionStage<CleanupResult>, CompletionStage<ByteString>> p = Source.from(chunks)
                .viaMat(Cleanup.flow(s, e), Keep.right())
                .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
                .run(testKit.system());
        ByteString out = p.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CleanupResult r = p.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return Pair.create(out.decodeString(StandardCharsets.UTF_8), r);
    }

    @Test
    void addsMissingHeadersExactlyLikePostfix() throws Exception {
        // Golden output from Postfix 3.7 (postcat -q) for the same input, with CRLF line ends.
        String expected = ""
                + "Received: from helo.example (localhost [127.0.0.1])\r\n"
                + "\tby baseline.localdomain (Postfix) with ESMTP id 4jZR1x4WRhzJ9KH;\r\n"
                + "\tWed, 25 Nov 2026 17:07:33 +0000 (UTC)\r\n"
                + "Subject: bare\r\n"
                + "Message-Id: <4jZR1x4WRhzJ9KH@baseline.localdomain>\r\n"
                + "Date: Wed, 25 Nov 2026 17:07:33 +0000 (UTC)\r\n"
                + "From: sender@example.com\r\n"
                + "\r\n"
                + "body line\r\n";
        for (int chunk : new int[] {1, 3, 7, 1000}) {
            Pair<String, CleanupResult> r = run(settings(),
                    env(List.of("r1@example.net", "r2@example.org"), true), "Subject: bare\r\n\r\nbody line\r\n", chunk);
            assertEquals(expected, r.first(), "chunk size " + chunk);
            assertEquals("<4jZR1x4WRhzJ9KH@baseline.localdomain>", r.second().messageId());
            assertEquals(expected.length(), r.second().size());
        }
    }

    @Test
    void singleRecipientGetsForClauseAndExistingHeadersAreKept() throws Exception {
        String in = "Date: Wed, 25 Nov 2026 17:07:19 +0000\r\nTo: d2@example.org\r\nFrom: carol@example.com\r\n"
                + "Subject: two\r\nMessage-Id: <20261125170719.008849@vm>\r\n\r\nThis is a test mailing\r\n";
        Pair<String, CleanupResult> r = run(settings(), env(List.of("d2@example.org"), true), in, 5);
        assertEquals("Received: from helo.example (localhost [127.0.0.1])\r\n"
                + "\tby baseline.localdomain (Postfix) with ESMTP id 4jZR1x4WRhzJ9KH\r\n"
                + "\tfor <d2@example.org>; Wed, 25 Nov 2026 17:07:33 +0000 (UTC)\r\n" + in, r.first());
        assertEquals("<20261125170719.008849@vm>", r.second().messageId());
    }

    @Test
    void tlsAndAuthCommentsGoBetweenFromAndBy() throws Exception {
        // Postfix's form with smtpd_tls_received_header = yes and smtpd_sasl_authenticated_header = yes
        CleanupEnvelope e = new CleanupEnvelope(ID, ARRIVAL, "sender@example.com", List.of("d2@example.org"),
                "helo.example", "localhost", "127.0.0.1", "ESMTPSA", false,
                List.of("(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))",
                        "(No client certificate requested)", "(Authenticated sender: alice)"));
        String out = run(settings(), e, "Subject: s\r\n\r\nb\r\n", 3).first();
        assertEquals("Received: from helo.example (localhost [127.0.0.1])\r\n"
                + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n"
                + "\t(No client certificate requested)\r\n"
                + "\t(Authenticated sender: alice)\r\n"
                + "\tby baseline.localdomain (Postfix) with ESMTPSA id 4jZR1x4WRhzJ9KH\r\n"
                + "\tfor <d2@example.org>; Wed, 25 Nov 2026 17:07:33 +0000 (UTC)\r\n"
                + "Subject: s\r\n\r\nb\r\n", out);
    }

    @Test
    void nullSenderGetsMailerDaemonAndNothingIsAddedForRemoteClients() throws Exception {
        CleanupEnvelope local = new CleanupEnvelope(ID, ARRIVAL, "", List.of("n1@example.net"), null, "localhost",
                "::1", "SMTP", true);
        String out = run(settings(), local, "Subject: null\r\n\r\nbody\r\n", 4).first();
        assertTrue(out.startsWith("Received: from localhost (localhost [IPv6:::1])\r\n"), out);
        assertTrue(out.contains("\r\nFrom: MAILER-DAEMON\r\n\r\nbody\r\n"), out);

        String remote = run(settings(), env(List.of("a@b"), false), "Subject: x\r\n\r\nbody\r\n", 4).first();
        assertTrue(remote.endsWith("(UTC)\r\nSubject: x\r\n\r\nbody\r\n"), remote);
    }

    @Test
    void foldedHeadersAndResentHeaders() throws Exception {
        String in = "Subject: a\r\n long subject\r\nResent-From: x@example.com\r\nFrom: y@example.com\r\n"
                + "Message-ID:\r\n <folded@id>\r\n\r\nb\r\n";
        Pair<String, CleanupResult> r = run(settings(), env(List.of("a@b"), true), in, 2);
        assertEquals("<folded@id>", r.second().messageId());
        assertTrue(r.first().contains("Message-ID:\r\n <folded@id>\r\nResent-Message-Id: <" + ID
                + "@baseline.localdomain>\r\nResent-Date: Wed, 25 Nov 2026 17:07:33 +0000 (UTC)\r\n\r\nb\r\n"), r.first());
    }

    @Test
    void tooManyHops() {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 49; i++) in.append("Received: from hop").append(i).append("\r\n");
        in.append("\r\nbody\r\n");
        ExecutionException ex = assertThrows(ExecutionException.class,
                () -> run(settings(), env(List.of("a@b"), true), in.toString(), 64));
        CleanupRejected rej = assertInstanceOf(CleanupRejected.class, ex.getCause());
        assertEquals(554, rej.code());
        assertEquals("5.4.0", rej.enhanced());
        assertEquals("Error: too many hops", rej.text());
    }

    @Test
    void hopsBelowTheLimitPass() throws Exception {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 48; i++) in.append("Received: from hop").append(i).append("\r\n");
        in.append("\r\nbody\r\n");
        assertEquals(49, run(settings(), env(List.of("a@b"), false), in.toString(), 64).second().hopCount());
    }

    @Test
    void messageSizeLimit() {
        CleanupSettings small = new CleanupSettings("h", "Postfix", 50, 102400, 1000, ZoneId.of("UTC"));
        String body = "x".repeat(998) + "\r\n";
        ExecutionException ex = assertThrows(ExecutionException.class,
                () -> run(small, env(List.of("a@b"), false), "Subject: s\r\n\r\n" + body, 100));
        CleanupRejected rej = assertInstanceOf(CleanupRejected.class, ex.getCause());
        assertEquals("552 5.3.4 Message size exceeds fixed limit", rej.getMessage());
    }

    @Test
    void longHeaderIsTruncatedAtHeaderSizeLimitAndBodyStreamsThrough() throws Exception {
        CleanupSettings s = new CleanupSettings("h", "Postfix", 50, 100, 0, ZoneId.of("UTC"));
        String longHeader = "X-Long: " + "a".repeat(300) + "\r\n";
        String body = "b".repeat(5000) + "\r\n";   // body lines are never limited
        String out = run(s, env(List.of("a@b"), false), longHeader + "Subject: s\r\n\r\n" + body, 33).first();
        String afterReceived = out.substring(out.indexOf("X-Long:"));
        String truncated = afterReceived.substring(0, afterReceived.indexOf("\r\n") + 2);
        assertEquals(100, truncated.length());
        assertTrue(afterReceived.endsWith("\r\nSubject: s\r\n\r\n" + body), "rest intact");
    }

    @Test
    void bodyWithoutHeaderSeparator() throws Exception {
        String out = run(settings(), env(List.of("a@b"), false), "just a body line\r\nmore\r\n", 3).first();
        assertTrue(out.endsWith("(UTC)\r\njust a body line\r\nmore\r\n"), out);
    }

    @Test
    void mailDateSpacePadsTheDay() {
        assertEquals("Wed,  2 Dec 2026 08:05:09 +0100 (CET)",
                MailDate.format(Instant.parse("2026-12-02T07:05:09Z"), ZoneId.of("Europe/Berlin")));
    }

    @Test
    void processorOnWholeContentEqualsTheStageInAnyChunking() throws Exception {
        // smtpd's held small mail is cleaned by the processor alone, in one piece
        String message = "Received: from a\r\nSubject: folded\r\n\tline\r\nFrom: x@example.com\r\n"
                + "\r\nbody line 1\r\n.leading dot kept\r\n\r\nlast\r\n";
        CleanupEnvelope env = env(List.of("rcpt@example.net"), true);
        CleanupProcessor p = new CleanupProcessor(settings(), env);
        ByteString out = p.push(ByteString.fromString(message, StandardCharsets.UTF_8)).concat(p.finish());
        for (int chunk : new int[] {1, 3, 17, message.length()}) {
            Pair<String, CleanupResult> streamed = run(settings(), env, message, chunk);
            assertEquals(streamed.first(), out.decodeString(StandardCharsets.UTF_8), "chunks of " + chunk);
            assertEquals(streamed.second(), p.result());
        }
    }
}
