package org.smarthost.protocol.smtpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backpressure from the queue to the socket: with a disk that does not move, smtpd stops
 * reading, so the receiver never holds more than its bound however big the message is
 * (message_size_limit = 0), and the client waits in TCP flow control. When the disk moves
 * again the message arrives complete and byte-exact, and pipelined input after it is neither
 * lost nor reordered. The waits below only give a broken server the chance to overrun; no
 * assertion depends on timing.
 */
class SmtpdBackpressureTest extends SmtpdTestSupport {

    /** More than the kernel can buffer on loopback here (tcp_rmem max 32 MB + tcp_wmem max 4 MB). */
    static final long BIG = 50L * 1024 * 1024;
    /** The decoder hands on content in pieces of 64 KB plus at most one line (line_length_limit). */
    static final long MAX_PIECE = 64 * 1024 + 2048 + 2;

    GatedReceiver gated;

    @BeforeEach
    void gatedReceiver() throws IOException {
        gated = new GatedReceiver(Files.createDirectories(tmp.resolve("gated")));
    }

    @AfterEach
    void openGate() {
        gated.close();
    }

    static SmtpdSettings unlimited() {
        return withLimits(defaults(), 0, 2048, 1000, 20, 10, Duration.ofSeconds(1), 100);
    }

    @Test
    void bigDataWaitsForTheSlowDiskWithinTheBoundAndArrivesByteExact() throws Exception {
        SmtpServer server = start(unlimited(), gated);
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        BigMessage m = new BigMessage(BIG);
        CompletableFuture<byte[]> sender = sending(() -> m.sendData(c, ".\r\nQUIT\r\n"));

        awaitTrue(() -> gated.pauses.get() > 0, "smtpd was never asked to wait");
        awaitTrue(sender::isDone, 1000); // a server that ignores backpressure would take it all now
        assertFalse(sender.isDone(), "the client could send everything although the disk did not move");
        assertTrue(gated.accepted.get() < BIG);
        assertTrue(gated.committed.isEmpty());
        assertWithinBound();

        gated.release();
        byte[] expected = sender.get(60, TimeUnit.SECONDS);
        assertEquals("250 2.0.0 Ok: queued as 4Gate000001Z", c.reply());
        assertEquals("221 2.0.0 Bye", c.reply());
        Path body = gated.committed.get(0).body();
        assertEquals(m.contentBytes(), Files.size(body));
        assertArrayEquals(expected, sha256(body));
        assertTrue(gated.pauses.get() > 1, "paused and resumed more than once");
        assertWithinBound();
    }

    @Test
    void bdatUnderBackpressureKeepsPipelinedCommandsInOrder() throws Exception {
        SmtpServer server = start(unlimited(), gated);
        SmtpTestClient c = envelope(server);
        BigMessage m = new BigMessage(20L * 1024 * 1024);
        String next = "MAIL FROM:<carol@example.org>\r\nRCPT TO:<dave@example.net>\r\nBDAT 7 LAST\r\nhello\r\nQUIT\r\n";
        CompletableFuture<byte[]> sender = sending(() -> m.sendBdat(c, next));

        awaitTrue(() -> gated.pauses.get() > 0, "smtpd was never asked to wait");
        assertWithinBound();
        gated.release();
        byte[] expected = sender.get(60, TimeUnit.SECONDS);
        assertEquals("250 2.0.0 Ok: " + m.contentBytes() + " bytes queued as 4Gate000001Z", c.reply());
        assertEquals("250 2.1.0 Ok", c.reply());
        assertEquals("250 2.1.5 Ok", c.reply());
        assertEquals("250 2.0.0 Ok: 7 bytes queued as 4Gate000002Z", c.reply());
        assertEquals("221 2.0.0 Bye", c.reply());
        assertArrayEquals(expected, sha256(gated.committed.get(0).body()));
        assertEquals("hello\r\n", Files.readString(gated.committed.get(1).body()));
        assertWithinBound();
    }

    @Test
    void aStalledDiskIsNotTheClientsTimeoutButIdlingAfterwardsIs() throws Exception {
        SmtpServer server = start(withSmtpdTimeout(unlimited(), Duration.ofMillis(300)), gated);
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        BigMessage m = new BigMessage(4L * 1024 * 1024);
        CompletableFuture<byte[]> sender = sending(() -> m.sendData(c, ".\r\n"));

        awaitTrue(() -> gated.pauses.get() > 0, "smtpd was never asked to wait");
        Thread.sleep(1000); // several smtpd_timeouts with reads paused because of us
        gated.release();
        byte[] expected = sender.get(60, TimeUnit.SECONDS);
        assertEquals("250 2.0.0 Ok: queued as 4Gate000001Z", c.reply());
        assertArrayEquals(expected, sha256(gated.committed.get(0).body()));
        // Once we read again the client's own silence counts.
        assertEquals("421 4.4.2 " + HOST + " Error: timeout exceeded", c.reply());
        logs.await(l -> l.equals("timeout after END-OF-MESSAGE from localhost[127.0.0.1]"));
        assertFalse(logs.lines().stream().anyMatch(l -> l.startsWith("timeout after DATA")), logs.lines().toString());
    }

    @Test
    void clientLostWhileTheDiskIsStalledAbortsTheTransaction() throws Exception {
        SmtpServer server = start(unlimited(), gated);
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        BigMessage m = new BigMessage(BIG);
        CompletableFuture<byte[]> sender = sending(() -> m.sendData(c, ".\r\n"));

        awaitTrue(() -> gated.pauses.get() > 0, "smtpd was never asked to wait");
        c.abort();
        gated.release();
        logs.await(l -> l.startsWith("lost connection after DATA (") && l.endsWith(" bytes) from localhost[127.0.0.1]"));
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1]"));
        assertEquals(java.util.List.of("4Gate000001Z"), gated.aborted);
        assertTrue(gated.committed.isEmpty());
        assertTrue(sender.handle((v, e) -> e != null).get(60, TimeUnit.SECONDS), "the client's send fails");
        assertWithinBound();
    }

    @Test
    void shutdownWhileTheDiskIsStalledClosesTheSessionAndAborts() throws Exception {
        SmtpServer server = start(unlimited(), gated);
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        BigMessage m = new BigMessage(BIG);
        CompletableFuture<byte[]> sender = sending(() -> m.sendData(c, ".\r\n"));

        awaitTrue(() -> gated.pauses.get() > 0, "smtpd was never asked to wait");
        server.shutdown(Duration.ZERO).toCompletableFuture().get(30, TimeUnit.SECONDS);
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1]"));
        assertEquals(java.util.List.of("4Gate000001Z"), gated.aborted);
        assertTrue(gated.committed.isEmpty());
        c.abort(); // unblock the sender
        sender.handle((v, e) -> null).get(60, TimeUnit.SECONDS);
    }

    /** The client writes from its own thread: it blocks when smtpd stops reading. */
    private static CompletableFuture<byte[]> sending(java.util.function.Supplier<byte[]> send) {
        return CompletableFuture.supplyAsync(send, r -> {
            Thread t = new Thread(r, "test-client-sender");
            t.setDaemon(true);
            t.start();
        });
    }

    private void assertWithinBound() {
        assertTrue(gated.maxChunk.get() <= MAX_PIECE, "piece of " + gated.maxChunk.get() + " bytes");
        long bound = GatedReceiver.HIGH_WATER + MAX_PIECE;
        assertTrue(gated.maxBuffered.get() <= bound,
                "receiver held " + gated.maxBuffered.get() + " bytes, bound " + bound);
    }

    private static void awaitTrue(BooleanSupplier condition, String failure) throws InterruptedException {
        assertTrue(awaitTrue(condition, 10_000), failure);
    }

    private static byte[] sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return d.digest();
    }

    /**
     * A message of about {@code size} bytes made on the fly (never whole in memory): 100-byte
     * lines, every 1000th starting with "." so that dot-stuffing is exercised. The send methods
     * return the SHA-256 of the content smtpd must hand over.
     */
    static final class BigMessage {
        private final long lines;

        BigMessage(long size) {
            this.lines = size / 100;
        }

        private static final byte[] HEADER = "Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        long contentBytes() {
            return HEADER.length + lines * 100;
        }

        private static byte[] line(long i) {
            String s = String.format("%s%09d %s\r\n", i % 1000 == 7 ? "." : "L", i,
                    "abcdefghijklmnopqrstuvwxyz0123456789".repeat(3).substring(0, 87));
            return s.getBytes(StandardCharsets.US_ASCII);
        }

        byte[] sendData(SmtpTestClient c, String after) {
            return send(c, true, null, after);
        }

        byte[] sendBdat(SmtpTestClient c, String after) {
            return send(c, false, "BDAT " + contentBytes() + " LAST\r\n", after);
        }

        private byte[] send(SmtpTestClient c, boolean dotStuff, String before, String after) {
            try {
                MessageDigest content = MessageDigest.getInstance("SHA-256");
                java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream(1 << 17);
                if (before != null) block.write(before.getBytes(StandardCharsets.US_ASCII));
                block.write(HEADER);
                content.update(HEADER);
                for (long i = 0; i < lines; i++) {
                    byte[] l = line(i);
                    content.update(l);
                    if (dotStuff && l[0] == '.') block.write('.');
                    block.write(l);
                    if (block.size() >= 1 << 16) {
                        c.send(block.toByteArray());
                        block.reset();
                    }
                }
                block.write(after.getBytes(StandardCharsets.US_ASCII));
                c.send(block.toByteArray());
                return content.digest();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
