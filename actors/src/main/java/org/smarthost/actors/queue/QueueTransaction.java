package org.smarthost.actors.queue;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.persistence.body.BodyWriter;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.RcptTo;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.Transaction;
import org.smarthost.streams.cleanup.Cleanup;
import org.smarthost.streams.cleanup.CleanupEnvelope;
import org.smarthost.streams.cleanup.CleanupRejected;
import org.smarthost.streams.cleanup.CleanupResult;

/**
 * One message on its way into the queue. smtpd's event loop calls write() with content chunks;
 * they are offered to a stream (cleanup → body store) that runs elsewhere, so the event loop
 * never waits for the disk. Chunks queue up while the disk is slower than the client, but never
 * more than message_size_limit bytes: beyond that the content is dropped and the message is
 * rejected at commit, as Postfix does.
 */
final class QueueTransaction implements Transaction {

    private static final Logger log = LoggerFactory.getLogger("postfix/cleanup");
    private static final int STREAM_BUFFER = 16;

    private final String queueId;
    private final Instant arrival;
    private final SessionInfo session;
    private final MailFrom sender;
    private final boolean addMissingHeaders;
    private final QueueReceiver receiver;
    private final List<RcptTo> recipients = new ArrayList<>();

    private SourceQueueWithComplete<ByteString> queue;
    private CompletionStage<CleanupResult> cleanup;
    private CompletionStage<Done> written;
    private BodyWriter writer;
    private long offered;
    private boolean tooBig;
    private boolean finished;

    QueueTransaction(String queueId, Instant arrival, SessionInfo session, MailFrom sender, boolean addMissingHeaders,
                     QueueReceiver receiver) {
        this.queueId = queueId;
        this.arrival = arrival;
        this.session = session;
        this.sender = sender;
        this.addMissingHeaders = addMissingHeaders;
        this.receiver = receiver;
    }

    @Override
    public String queueId() {
        return queueId;
    }

    @Override
    public void addRecipient(RcptTo recipient) {
        recipients.add(recipient);
    }

    @Override
    public void write(ByteBuf chunk) {
        try {
            if (finished || tooBig) return;
            long limit = receiver.settings().messageSizeLimit();
            offered += chunk.readableBytes();
            if (limit > 0 && offered > limit) {
                tooBig = true;       // stop buffering; commit rejects
                return;
            }
            if (queue == null) start();
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            queue.offer(ByteString.fromArrayUnsafe(bytes));
        } finally {
            chunk.release();
        }
    }

    private void start() {
        QueueSettings settings = receiver.settings();
        List<String> rcpts = recipients.stream().map(RcptTo::address).toList();
        String clientAddress = session.clientAddress() == null ? "unknown"
                : session.clientAddress().getAddress().getHostAddress();
        CleanupEnvelope env = new CleanupEnvelope(queueId, arrival, sender.address(), rcpts, session.heloName(),
                session.clientName(), clientAddress, session.protocol(), addMissingHeaders);
        writer = receiver.bodies().openWriter(queueId);
        BodyWriter w = writer;
        Sink<ByteString, CompletionStage<Done>> toStore = Sink.<ByteString>foreach(bytes -> {
            for (ByteBuffer b : bytes.getByteBuffers()) w.append(b);
        }).withAttributes(ActorAttributes.dispatcher("pekko.actor.default-blocking-io-dispatcher"));
        Pair<Pair<SourceQueueWithComplete<ByteString>, CompletionStage<CleanupResult>>, CompletionStage<Done>> m =
                Source.<ByteString>queue(STREAM_BUFFER, OverflowStrategy.backpressure(), Integer.MAX_VALUE)
                        .viaMat(Cleanup.flow(settings.cleanup(), env), Keep.both())
                        .toMat(toStore, Keep.both())
                        .run(receiver.system());
        queue = m.first().first();
        cleanup = m.first().second();
        written = m.second();
    }

    @Override
    public CompletionStage<SmtpReply> commit() {
        if (finished) throw new IllegalStateException("transaction " + queueId + " already finished");
        if (queue == null) start();
        finished = true;
        if (tooBig) {
            queue.fail(CleanupRejected.messageTooBig());
            return discard().thenApply(d -> reply(CleanupRejected.messageTooBig()));
        }
        queue.complete();
        Executor blocking = receiver.system().dispatchers().lookup(DispatcherSelector.blocking());
        return written.thenCombine(cleanup, (done, result) -> result)
                .thenApplyAsync(result -> {
                    try {
                        writer.finish();
                    } catch (java.io.IOException e) {
                        throw new CompletionException(e);
                    }
                    return result;
                }, blocking)
                .thenCompose(this::persist)
                .handle((reply, failure) -> {
                    if (failure == null) return CompletableFuture.completedFuture(reply);
                    Throwable cause = unwrap(failure);
                    return discard().thenApply(d -> {
                        if (cause instanceof CleanupRejected r) return reply(r);
                        log.warn("warning: {}: queue file write error: {}", queueId, cause.toString());
                        throw new CompletionException(cause);
                    });
                })
                .thenCompose(s -> s);
    }

    private CompletionStage<SmtpReply> persist(CleanupResult result) {
        List<EnvelopeRecipient> rcpts = recipients.stream()
                .map(r -> new EnvelopeRecipient(r.address(), r.dsnNotify(), r.orcpt())).toList();
        String clientAddress = session.clientAddress() == null ? "unknown"
                : session.clientAddress().getAddress().getHostAddress();
        int clientPort = session.clientAddress() == null ? 0 : session.clientAddress().getPort();
        MessageReceived received = new MessageReceived(queueId, arrival, sender.address(), rcpts, sender.ret(),
                sender.envid(), result.size(), session.clientName(), clientAddress, clientPort, session.heloName(),
                session.protocol(), session.saslUsername(), queueId, sender.smtputf8(), sender.body(),
                result.messageId(), session.serviceName());
        return AskPattern.<MessageRegion.Command, Done>askWithStatus(receiver.region(),
                        replyTo -> new MessageRegion.Deliver(queueId, new MessageActor.Accept(received, replyTo)),
                        QueueReceiver.ACCEPT_TIMEOUT, receiver.system().scheduler())
                .thenApply(done -> SmtpReply.of(250, "2.0.0", "Ok: queued as " + queueId));
    }

    @Override
    public void abort() {
        if (finished) return;
        finished = true;
        if (queue != null) {
            queue.fail(new IllegalStateException("transaction aborted"));
            discard();
        }
    }

    /** Removes whatever was written, once the stream no longer uses the writer. */
    private CompletionStage<Done> discard() {
        if (written == null) return CompletableFuture.completedFuture(Done.getInstance());
        Executor blocking = receiver.system().dispatchers().lookup(DispatcherSelector.blocking());
        return written.handleAsync((d, f) -> {
            try {
                writer.abort();
            } catch (Exception e) {
                log.warn("warning: {}: cannot remove message body: {}", queueId, e.toString());
            }
            return Done.getInstance();
        }, blocking);
    }

    private static SmtpReply reply(CleanupRejected r) {
        return SmtpReply.of(r.code(), r.enhanced(), r.text());
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
