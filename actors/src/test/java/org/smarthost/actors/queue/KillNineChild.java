package org.smarthost.actors.queue;

import com.typesafe.config.ConfigFactory;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.Transaction;

/** Run in a child JVM by {@link KillNineTest}: queues messages, prints each 250, then waits to be killed. */
public final class KillNineChild {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "child", ConfigFactory.parseMap(Map.of(
                        "pekko.loglevel", "WARNING",
                        "pekko.persistence.journal.plugin", "smarthost.journal.rocksdb",
                        "pekko.persistence.snapshot-store.plugin", "smarthost.snapshot.rocksdb",
                        "smarthost.store.dir", dir.toString()))
                .withFallback(ConfigFactory.load()));
        QueueSystem queue = QueueSystem.start(system, QueueSettings.defaults("mx.example", dir), BodyStore.open(dir),
                QueueIdGenerator.forThisProcess(), Clock.systemUTC());
        SessionInfo session = new SessionInfo("localhost", new InetSocketAddress("127.0.0.1", 1025), "child.example",
                "ESMTP", null, "smtp", new InetSocketAddress("127.0.0.1", 25));
        for (int i = 0; i < count; i++) {
            Transaction t = queue.receiver().open(session, new MailFrom("s" + i + "@example.com", -1, null, null, null,
                    false));
            t.addRecipient(new RcptTo("r" + i + "@example.net", Set.of(), null));
            t.write(Unpooled.copiedBuffer("Subject: " + i + "\r\n\r\n" + "x".repeat(100_000) + "\r\n",
                    StandardCharsets.UTF_8));
            SmtpReply reply = t.commit().toCompletableFuture().get(60, TimeUnit.SECONDS);
            System.out.println(reply.code() + " " + t.queueId());
            System.out.flush();
        }
        System.out.println("DONE");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
