package org.smarthost.actors.queue;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.protocol.dsn.DsnComposer;
import org.smarthost.protocol.dsn.DsnKind;
import org.smarthost.protocol.dsn.DsnMessage;
import org.smarthost.protocol.dsn.DsnRecipient;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.Transaction;

/**
 * bounce(8): composes a delivery status notification about a queued message and queues it as a
 * new message from the null sender through cleanup, like any other mail. Returns the new queue
 * ID once the notice is durable.
 */
public final class Notices {

    private static final Logger bounce = LoggerFactory.getLogger("postfix/bounce");
    private static final SessionInfo LOCAL = new SessionInfo("localhost",
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "localhost", "local", null, "bounce", null);

    private final QueueReceiver receiver;
    private final BodyStore bodies;
    private final DsnComposer composer;
    private final Executor blocking;
    private final Clock clock;

    public Notices(QueueReceiver receiver, BodyStore bodies, DsnComposer composer, Executor blocking, Clock clock) {
        this.receiver = receiver;
        this.bodies = bodies;
        this.composer = composer;
        this.blocking = blocking;
        this.clock = clock;
    }

    /**
     * Queues a {@code kind} notice about {@code m} for {@code recipients} to {@code to} (the
     * sender, or the postmaster for copies) with envelope sender {@code from} (the null sender
     * for the sender's notices, double_bounce_sender for the postmaster's). Logs "sender
     * non-delivery notification: ID".
     */
    public CompletionStage<String> send(DsnKind kind, MessageReceived m, List<DsnRecipient> recipients, String to,
                                        String from) {
        Transaction tx = receiver.open(LOCAL, new MailFrom(from, -1, null, null, null, m.smtputf8()));
        tx.addRecipient(new RcptTo(to, Set.of(), null));
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            DsnMessage message = DsnInputsBridge.message(m, to);
            try (InputStream original = openQuietly(m.bodyKey())) {
                composer.compose(kind, message, recipients, original, clock.instant(), tx.queueId(), out);
            } catch (java.io.IOException e) {
                throw new CompletionException(e);
            }
            return out.toByteArray();
        }, blocking).thenCompose(bytes -> {
            tx.write(Unpooled.wrappedBuffer(bytes));
            return tx.commit();
        }).handle((SmtpReply reply, Throwable failure) -> {
            if (failure != null || reply.code() != 250) {
                tx.abort();
                String why = failure != null ? String.valueOf(failure.getCause() != null ? failure.getCause() : failure)
                        : reply.toString();
                bounce.warn("warning: {}: cannot queue {} notification: {}", m.queueId(), describe(kind), why);
                throw new CompletionException(new IllegalStateException(why));
            }
            bounce.info("{}: {} {} notification: {}", m.queueId(), to.equals(m.sender()) ? "sender" : "postmaster",
                    describe(kind), tx.queueId());
            return tx.queueId();
        });
    }

    private InputStream openQuietly(String bodyKey) {
        try {
            return bodies.open(bodyKey);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static String describe(DsnKind kind) {
        return switch (kind) {
            case FAILURE -> "non-delivery";
            case DELAY -> "delay";
            case SUCCESS -> "delivery status";
        };
    }

    /** DsnInputs.message addressed to {@code to}: a postmaster copy goes to the postmaster. */
    private static final class DsnInputsBridge {
        static DsnMessage message(MessageReceived m, String to) {
            DsnMessage d = org.smarthost.actors.delivery.DsnInputs.message(m);
            return to.equals(d.sender()) ? d : new DsnMessage(d.queueId(), to, d.arrival(), d.envid(), d.ret(),
                    d.eightBit(), d.smtputf8(), d.messageId(), d.size());
        }
    }
}
