package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.MessageReceiver;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.SmtpServer;
import org.smarthost.protocol.smtpd.SmtpdSettings;
import org.smarthost.protocol.smtpd.Transaction;

/**
 * Backpressure from the body store to the socket, on the real RocksDB body store and journal:
 * with the store's appends blocked (a slow disk), a transaction never holds more than its bound
 * in memory, however big the message (message_size_limit = 0), and once the disk moves the
 * message is queued complete and byte-exact. No assertion depends on timing.
 */
class QueueBackpressureTest {

    /** The decoder's content pieces: 64 KB plus at most one line (line_length_limit). */
    static final long MAX_PIECE = 64 * 1024 + 2048 + 2;
    /** Headers cleanup adds (Received:, Date:, From:, Message-Id:) on their way to the store. */
    static final long CLEANUP_HEADERS = 8 * 1024;
    static final long BOUND = QueueTransaction.HIGH_WATER + MAX_PIECE + CLEANUP_HEADERS;

    Path dir;
    ActorSystem<Void> system;
    BodyStore bodies;
    QueueSystem queue;
    final CountDownLatch disk = new CountDownLatch(1);
    final AtomicLong appended = new AtomicLong();

    static final SessionInfo SESSION = new SessionInfo("localhost", new InetSocketAddress("127.0.0.1", 40000),
            "client.example", "ESMTP", null, "smtp", new InetSocketAddress("127.0.0.1", 25));

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("queue-backpressure");
        system = ActorSystem.create(Behaviors.empty(), "backpressure", ConfigFactory.parseMap(Map.of(
                        "pekko.persistence.journal.plugin", "smarthost.journal.rocksdb",
                        "pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb",
                        "smarthost.store.dir", dir.toString()))
                .withFallback(ConfigFactory.load()));
        bodies = BodyStore.open(dir);
        QueueSettings settings = QueueSettings.defaults("mx.example", dir);
        settings = settings.withLimits(settings.hopcountLimit(), settings.headerSizeLimit(), 0,
                settings.alwaysAddMissingHeaders());
        queue = QueueSystem.start(system, settings, bodies, QueueIdGenerator.forThisProcess(), Clock.systemUTC());
        queue.receiver().diskProbe((id, n) -> {
            disk.await();
            appended.addAndGet(n);
        });
    }

    @AfterEach
    void stop() throws Exception {
        disk.countDown();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        bodies.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void writeSaysWaitWhileTheDiskIsBlockedAndNothingIsLost() throws Exception {
        QueueTransaction t = (QueueTransaction) queue.receiver()
                .open(SESSION, new MailFrom("alice@example.com", -1, null, null, null, false));
        t.addRecipient(new RcptTo("bob@example.net", Set.of(), null));
        Body body = new Body(8L * 1024 * 1024);
        byte[] piece = new byte[64 * 1024];
        CompletionStage<Void> ready = Transaction.READY;
        long written = 0;
        boolean released = false;
        MessageDigest content = MessageDigest.getInstance("SHA-256");
        byte[] headers = "Subject: big\r\nMessage-ID: <big@example.com>\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        t.write(Unpooled.wrappedBuffer(headers));
        for (int n; (n = body.read(piece)) > 0; ) {
            if (!released && !ready.toCompletableFuture().isDone()) {
                // Blocked disk: the stage cannot complete, and what is held stays within the bound.
                assertEquals(0, appended.get());
                assertTrue(t.buffered() > QueueTransaction.HIGH_WATER);
                assertTrue(t.maxBuffered() <= BOUND, "held " + t.maxBuffered());
                assertTrue(written < 2 * QueueTransaction.HIGH_WATER, "written " + written);
                released = true;
                disk.countDown();
            }
            ready.toCompletableFuture().get(30, TimeUnit.SECONDS);
            content.update(piece, 0, n);
            ready = t.write(Unpooled.copiedBuffer(piece, 0, n));
            written += n;
        }
        assertTrue(released, "write never asked to wait");
        SmtpReply reply = t.commit().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(SmtpReply.of(250, "2.0.0", "Ok: queued as " + t.queueId()), reply);
        assertArrayEquals(content.digest(), bodyDigest(t.queueId()));
        assertTrue(t.maxBuffered() <= BOUND, "held " + t.maxBuffered());
        assertEquals(0, t.buffered());
    }

    @Test
    void abortWhileWaitingForTheDiskEndsTheWait() throws Exception {
        QueueTransaction t = (QueueTransaction) queue.receiver()
                .open(SESSION, new MailFrom("alice@example.com", -1, null, null, null, false));
        t.addRecipient(new RcptTo("bob@example.net", Set.of(), null));
        CompletionStage<Void> ready = Transaction.READY;
        while (ready.toCompletableFuture().isDone()) ready = t.write(Unpooled.wrappedBuffer(new byte[64 * 1024]));
        t.abort();
        ready.toCompletableFuture().get(30, TimeUnit.SECONDS); // smtpd is never left waiting
        disk.countDown();
        for (int i = 0; i < 200 && bodies.exists(t.queueId()); i++) Thread.sleep(20);
        assertFalse(bodies.exists(t.queueId()));
    }

    @Test
    void fiftyMegabytesOverSmtpWithABlockedDiskStayWithinTheBound() throws Exception {
        List<QueueTransaction> opened = new CopyOnWriteArrayList<>();
        MessageReceiver recording = (session, sender) -> {
            Transaction t = queue.receiver().open(session, sender);
            opened.add((QueueTransaction) t);
            return t;
        };
        SmtpdSettings defaults = SmtpdSettings.defaults("mx.example");
        SmtpdSettings.Limits l = defaults.limits();
        SmtpdSettings smtpdSettings = defaults.with(new SmtpdSettings.Limits(0, l.lineLengthLimit(),   // no size limit
                l.smtpdRecipientLimit(), l.smtpdRecipientOvershootLimit(), l.smtpdTimeout(), l.smtpdHardErrorLimit(),
                l.smtpdSoftErrorLimit(), l.smtpdErrorSleepTime(), l.smtpdJunkCommandLimit()));
        SmtpServer smtpd = SmtpServer.start(smtpdSettings, recording, new InetSocketAddress("127.0.0.1", 0), "smtp");
        try (Socket s = new Socket()) {
            s.connect(smtpd.boundAddress(), 5000);
            s.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertTrue(reply(in).startsWith("220 "));
            out.write("EHLO client.example\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(reply(in).startsWith("250"));
            out.write("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals("250 2.1.0 Ok", reply(in));
            assertEquals("250 2.1.5 Ok", reply(in));
            assertTrue(reply(in).startsWith("354 "));

            long size = 50L * 1024 * 1024;
            CompletableFuture<byte[]> sender = new CompletableFuture<>();
            Thread client = new Thread(() -> {
                try {
                    sender.complete(sendData(out, new Body(size)));
                } catch (Throwable e) {
                    sender.completeExceptionally(e);
                }
            }, "test-smtp-client");
            client.setDaemon(true);
            client.start();

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((opened.isEmpty() || opened.get(0).buffered() <= QueueTransaction.HIGH_WATER)
                    && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            QueueTransaction t = opened.get(0);
            assertTrue(t.buffered() > QueueTransaction.HIGH_WATER, "the queue never filled up");
            // Give a server without backpressure the chance to read on (50 MB is more than the
            // kernel buffers on loopback: tcp_rmem max 32 MB + tcp_wmem max 4 MB).
            Thread.sleep(1000);
            assertFalse(sender.isDone(), "the client could send everything although the disk did not move");
            assertEquals(0, appended.get());
            assertTrue(t.maxBuffered() <= BOUND, "held " + t.maxBuffered() + ", bound " + BOUND);

            disk.countDown();
            byte[] expected = sender.get(120, TimeUnit.SECONDS);
            assertEquals("250 2.0.0 Ok: queued as " + t.queueId(), reply(in));
            assertArrayEquals(expected, bodyDigest(t.queueId()));
            assertTrue(t.maxBuffered() <= BOUND, "held " + t.maxBuffered() + ", bound " + BOUND);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("221 2.0.0 Bye", reply(in));
        } finally {
            smtpd.shutdown(Duration.ZERO).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        StringBuilder b = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            b.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') break;
            b.append('\n');
        }
        return b.toString();
    }

    /** Sends the message as DATA content (dot-stuffed); returns the SHA-256 of its body part. */
    private static byte[] sendData(OutputStream out, Body body) throws Exception {
        MessageDigest content = MessageDigest.getInstance("SHA-256");
        out.write("Subject: big\r\nMessage-ID: <big@example.com>\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] piece = new byte[64 * 1024];
        ByteArrayOutputStream wire = new ByteArrayOutputStream(70 * 1024);
        for (int n; (n = body.read(piece)) > 0; ) {
            content.update(piece, 0, n);
            wire.reset();
            boolean lineStart = body.lastReadStartedLine();
            for (int i = 0; i < n; i++) {
                if (lineStart && piece[i] == '.') wire.write('.');
                wire.write(piece[i]);
                lineStart = piece[i] == '\n';
            }
            out.write(wire.toByteArray());
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return content.digest();
    }

    /** SHA-256 of the stored body after its header section (cleanup adds headers of its own). */
    private byte[] bodyDigest(String queueId) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = bodies.open(queueId)) {
            int state = 0; // matched bytes of "\r\n\r\n"
            byte[] end = {'\r', '\n', '\r', '\n'};
            int c;
            while (state < 4 && (c = in.read()) >= 0) {
                state = c == end[state] ? state + 1 : (c == '\r' ? 1 : 0);
            }
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return d.digest();
    }

    /**
     * A message body of about {@code size} bytes made on the fly: 100-byte CRLF lines, every
     * 1000th starting with "." so that DATA's dot-stuffing is exercised.
     */
    static final class Body {
        private final long lines;
        private long line;
        private byte[] pending = new byte[0];
        private int pendingPos;
        private boolean lastEndedLine = true;

        Body(long size) {
            this.lines = size / 100;
        }

        private boolean readStartedLine = true;

        /** Whether the bytes returned by the last read() began at a line start. */
        boolean lastReadStartedLine() {
            return readStartedLine;
        }

        int read(byte[] into) {
            readStartedLine = lastEndedLine;
            int n = 0;
            while (n < into.length) {
                if (pendingPos == pending.length) {
                    if (line == lines) break;
                    pending = String.format("%s%09d %s\r\n", line % 1000 == 7 ? "." : "L", line,
                            "abcdefghijklmnopqrstuvwxyz0123456789".repeat(3).substring(0, 87))
                            .getBytes(StandardCharsets.US_ASCII);
                    pendingPos = 0;
                    line++;
                }
                int k = Math.min(into.length - n, pending.length - pendingPos);
                System.arraycopy(pending, pendingPos, into, n, k);
                pendingPos += k;
                n += k;
            }
            if (n > 0) lastEndedLine = into[n - 1] == '\n';
            return n;
        }
    }
}
