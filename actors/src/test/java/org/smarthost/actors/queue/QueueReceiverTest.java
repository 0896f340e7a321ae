package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.persistence.queue.QueueName;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.Transaction;

/** The receive path end to end on the real RocksDB journal and body store. */
class QueueReceiverTest {

    Path dir;
    ActorSystem<Void> system;
    BodyStore bodies;
    QueueSystem queue;

    static final SessionInfo SESSION = new SessionInfo("localhost", new InetSocketAddress("127.0.0.1", 40000),
            "client.example", "ESMTP", null, "smtp", new InetSocketAddress("127.0.0.1", 25));

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("queue-receiver");
        boot();
    }

    /** header_checks etc. for the next boot(). */
    private org.smarthost.streams.cleanup.ContentChecks checks = org.smarthost.streams.cleanup.ContentChecks.NONE;

    void boot() {
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.persistence.journal.plugin", "smarthost.journal.rocksdb",
                        "pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb",
                        "smarthost.store.dir", dir.toString()))
                .withFallback(ConfigFactory.load());
        system = ActorSystem.create(Behaviors.empty(), "receiver", config);
        bodies = BodyStore.open(dir);
        QueueSettings settings = QueueSettings.defaults("mx.example", dir);
        settings = new QueueSettings(settings.myhostname(), settings.mailName(), 5, 1000, 1_000_000, false,
                settings.localHeaderRewriteClients(), settings.mynetworks(), settings.minimalBackoffTime(),
                settings.maximalBackoffTime(), settings.maximalQueueLifetime(), settings.bounceQueueLifetime(),
                settings.queueRunDelay(), dir, dir, QueueSettings.ROCKSDB_READ_JOURNAL, settings.messageIdleTimeout(),
                ZoneId.of("UTC"), settings.hashQueueNames(), settings.hashQueueDepth(), checks);
        queue = QueueSystem.start(system, settings, bodies, QueueIdGenerator.forThisProcess(), Clock.systemUTC());
    }

    void shutdown() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        bodies.close();
    }

    @AfterEach
    void stop() throws Exception {
        shutdown();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Transaction open(String sender, String... rcpts) {
        Transaction t = queue.receiver().open(SESSION, new MailFrom(sender, -1, null, null, null, false));
        for (String r : rcpts) t.addRecipient(new RcptTo(r, Set.of(), null));
        return t;
    }

    private static void write(Transaction t, String text, int chunk) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            t.write(Unpooled.copiedBuffer(b, i, Math.min(chunk, b.length - i)));
        }
    }

    private String body(String id) throws Exception {
        try (InputStream in = bodies.open(id)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void acceptedMessageSurvivesRestartAndIsIndexedOnce() throws Exception {
        Transaction t = open("alice@example.com", "bob@example.net");
        String id = t.queueId();
        write(t, "Subject: hi\r\nMessage-ID: <m1@example.com>\r\n\r\nhello\r\n", 7);
        SmtpReply reply = t.commit().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(SmtpReply.of(250, "2.0.0", "Ok: queued as " + id), reply);

        List<IndexEntry> before = queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(List.of(id), before.stream().map(IndexEntry::queueId).toList());

        shutdown();
        boot();

        List<IndexEntry> after = queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(1, after.size());
        IndexEntry e = after.get(0);
        assertEquals(id, e.queueId());
        assertEquals(QueueName.ACTIVE, e.queue());
        assertEquals("alice@example.com", e.sender());
        assertEquals(List.of("bob@example.net"), List.of(e.recipients()));
        String content = body(id);
        assertTrue(content.startsWith("Received: from client.example (localhost [127.0.0.1])\r\n\tby mx.example (Postfix) with ESMTP id "
                + id + "\r\n\tfor <bob@example.net>; "), content);
        // 127.0.0.1 matches local_header_rewrite_clients = permit_inet_interfaces: Date and From are added
        assertTrue(content.contains("\r\nSubject: hi\r\nMessage-ID: <m1@example.com>\r\nDate: "), content);
        assertTrue(content.endsWith(" +0000 (UTC)\r\nFrom: alice@example.com\r\n\r\nhello\r\n"), content);
        assertEquals(content.length(), e.size());
    }

    @Test
    void cleanupRejectionIsTheReplyAndNothingIsQueued() throws Exception {
        Transaction t = open("alice@example.com", "bob@example.net");
        StringBuilder hops = new StringBuilder();
        for (int i = 0; i < 10; i++) hops.append("Received: from hop").append(i).append("\r\n");
        write(t, hops + "\r\nbody\r\n", 5);
        SmtpReply reply = t.commit().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(SmtpReply.of(554, "5.4.0", "Error: too many hops"), reply);
        assertFalse(bodies.exists(t.queueId()));
        assertTrue(queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty());
    }

    @Test
    void oversizedMessageIsRejectedWithoutBufferingIt() throws Exception {
        Transaction t = open("alice@example.com", "bob@example.net");
        String line = "x".repeat(998) + "\r\n";
        for (int i = 0; i < 1200; i++) write(t, line, 1000);  // 1.2 MB against a 1 MB limit
        SmtpReply reply = t.commit().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(SmtpReply.of(552, "5.3.4", "Message size exceeds fixed limit"), reply);
        assertFalse(bodies.exists(t.queueId()));
    }

    @Test
    void abortDiscardsTheBody() throws Exception {
        Transaction t = open("alice@example.com", "bob@example.net");
        write(t, "Subject: x\r\n\r\n" + "y".repeat(200_00) + "\r\n", 4096);
        t.abort();
        Transaction next = open("carol@example.com", "dave@example.net");
        write(next, "Subject: y\r\n\r\nz\r\n", 100);
        assertEquals(250, next.commit().toCompletableFuture().get(30, TimeUnit.SECONDS).code());
        List<IndexEntry> all = queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(List.of(next.queueId()), all.stream().map(IndexEntry::queueId).toList());
        // the aborted body goes away once its stream has stopped
        for (int i = 0; i < 100 && bodies.exists(t.queueId()); i++) Thread.sleep(20);
        assertFalse(bodies.exists(t.queueId()));
    }

    @Test
    void contentBeyondTheHoldLimitIsStreamedAndStoredWhole() throws Exception {
        Transaction t = open("alice@example.com", "bob@example.net");
        String text = ("z".repeat(78) + "\r\n").repeat(4000); // 320,000 octets: more than smtpd's transaction holds
        assertTrue(text.length() > QueueTransaction.HOLD_LIMIT);
        write(t, "Subject: big\r\nMessage-ID: <m2@example.com>\r\n\r\n" + text, 1000);
        String content = queuedContent(t);
        assertTrue(content.startsWith("Received: from client.example (localhost [127.0.0.1])\r\n"), content);
        assertTrue(content.contains("\r\nSubject: big\r\nMessage-ID: <m2@example.com>\r\nDate: "));
        assertTrue(content.endsWith("\r\nFrom: alice@example.com\r\n\r\n" + text));
    }

    @Test
    void heldContentOfSeveralChunksIsStoredWhole() throws Exception {
        Transaction t = open("alice@example.com", "bob@example.net");
        String text = ("h".repeat(78) + "\r\n").repeat(2000); // 160,000 octets: held, but more than two chunks
        assertTrue(text.length() < QueueTransaction.HOLD_LIMIT && text.length() > 2 * bodies.chunkSize());
        write(t, "Subject: held\r\n\r\n" + text, 1000);
        assertFalse(bodies.exists(t.queueId()), "a held body is written with MessageReceived, not before");
        assertTrue(queuedContent(t).endsWith("\r\nFrom: alice@example.com\r\n\r\n" + text));
    }

    /** Restarts the queue with one header_checks/body_checks regexp: table. */
    private void bootWithChecks(String header, String body) throws Exception {
        Path h = Files.writeString(dir.resolve("header_checks"), header);
        Path b = Files.writeString(dir.resolve("body_checks"), body);
        org.smarthost.config.tables.LookupTables tables = new org.smarthost.config.tables.LookupTables(dir,
                org.slf4j.LoggerFactory.getLogger("postfix/cleanup"));
        var headerMaps = tables.maps("header_checks", "regexp:" + h);
        checks = new org.smarthost.streams.cleanup.ContentChecks(headerMaps, headerMaps, headerMaps,
                tables.maps("body_checks", "regexp:" + b), 0);
        shutdown();
        boot();
    }

    @Test
    void holdPutsTheMessageInTheHoldQueueAndDiscardKeepsNothing() throws Exception {
        bootWithChecks("/^X-Hold:/ HOLD review\n/^X-Discard:/ DISCARD\n", "");
        Transaction held = open("alice@example.com", "bob@example.net");
        write(held, "X-Hold: 1\r\n\r\nbody\r\n", 5);
        queuedContent(held);
        IndexEntry e = queue.lookup(held.queueId()).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
        assertEquals(QueueName.HOLD, e.queue());

        for (int size : new int[] {100, 400_000}) {   // held in memory, and streamed to the body store
            Transaction dropped = open("alice@example.com", "bob@example.net");
            write(dropped, "X-Discard: 1\r\n\r\n" + "d".repeat(size) + "\r\n", 1000);
            SmtpReply reply = dropped.commit().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(SmtpReply.of(250, "2.0.0", "Ok: queued as " + dropped.queueId()), reply);
            assertTrue(queue.lookup(dropped.queueId()).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty());
            for (int i = 0; i < 100 && bodies.exists(dropped.queueId()); i++) Thread.sleep(20);
            assertFalse(bodies.exists(dropped.queueId()));
        }
    }

    @Test
    void bodyLinesDeletedByBodyChecksDoNotStayCountedAsBuffered() throws Exception {
        bootWithChecks("", "/^i/ IGNORE\n");
        Transaction t = open("alice@example.com", "bob@example.net");
        String ignored = ("i".repeat(78) + "\r\n").repeat(8000); // 640,000 octets, all deleted
        // all of it deleted, to the end: no output would ever stand for the input
        write(t, "Subject: s\r\n\r\nkept\r\n" + ignored, 1000);
        QueueTransaction q = (QueueTransaction) t;
        for (int i = 0; i < 250 && q.buffered() > QueueTransaction.LOW_WATER; i++) Thread.sleep(20);
        assertTrue(q.buffered() <= QueueTransaction.LOW_WATER, "still counted: " + q.buffered());
        queuedContent(t);
        assertTrue(body(t.queueId()).endsWith("\r\n\r\nkept\r\n"), body(t.queueId()));
    }

    /** Commits {@code t}, expects 250 and an index entry of the stored size, and returns the stored content. */
    private String queuedContent(Transaction t) throws Exception {
        assertEquals(250, t.commit().toCompletableFuture().get(30, TimeUnit.SECONDS).code());
        String content = body(t.queueId());
        IndexEntry e = queue.lookup(t.queueId()).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
        assertEquals(content.length(), e.size());
        return content;
    }

    @Test
    void transactionsThatEndWithoutAMessageLeaveNoMessageActor() throws Exception {
        // each open() starts the message's actor ahead of DATA; none of these ends in the queue
        Transaction small = open("alice@example.com", "bob@example.net");
        write(small, "Subject: x\r\n\r\ny\r\n", 10);
        small.abort();
        Transaction big = open("alice@example.com", "bob@example.net");
        write(big, "Subject: x\r\n\r\n" + "y".repeat(300_000) + "\r\n", 1000); // streamed
        big.abort();
        Transaction empty = open("alice@example.com", "bob@example.net"); // RSET after RCPT
        empty.abort();
        Transaction rejected = open("alice@example.com", "bob@example.net");
        write(rejected, "Received: x\r\n".repeat(10) + "\r\nbody\r\n", 10);
        assertEquals(554, rejected.commit().toCompletableFuture().get(30, TimeUnit.SECONDS).code());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // the idle timeout is 30 s
        int active;
        do {
            active = org.apache.pekko.actor.typed.javadsl.AskPattern.<MessageRegion.Command, Integer>ask(
                    queue.region(), MessageRegion.CountActive::new, java.time.Duration.ofSeconds(10),
                    system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } while (active > 0 && System.nanoTime() < deadline && sleep(20));
        assertEquals(0, active);
        assertTrue(queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty());
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    @Test
    void manyConcurrentTransactionsAllGetTheirOwnId() throws Exception {
        List<Transaction> ts = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Transaction t = open("s" + i + "@example.com", "r" + i + "@example.net");
            write(t, "Subject: " + i + "\r\n\r\nbody " + i + "\r\n", 9);
            ts.add(t);
        }
        List<java.util.concurrent.CompletableFuture<SmtpReply>> replies =
                ts.stream().map(t -> t.commit().toCompletableFuture()).toList();
        for (var r : replies) assertEquals(250, r.get(30, TimeUnit.SECONDS).code());
        assertEquals(50, queue.list().toCompletableFuture().get(30, TimeUnit.SECONDS).size());
        assertEquals(50, ts.stream().map(Transaction::queueId).distinct().count());
    }
}
