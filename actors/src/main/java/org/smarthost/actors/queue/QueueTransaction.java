package org.smarthost.actors.queue;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
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
import org.smarthost.streams.cleanup.CleanupProcessor;
import org.smarthost.streams.cleanup.CleanupRejected;
import org.smarthost.streams.cleanup.CleanupResult;

/**
 * One message on its way into the queue. smtpd's event loop calls write() with content chunks;
 * they are offered to a stream (cleanup → body store) that runs elsewhere, so the event loop
 * never waits for the disk. Content beyond message_size_limit is dropped and the message is
 * rejected at commit, as Postfix does.
 *
 * <p>Backpressure. The stream may hold at most about {@link #HIGH_WATER} bytes of a message in
 * memory, whatever message_size_limit is (0 = unlimited included): write() returns a pending
 * stage once more is buffered, and smtpd stops reading the socket until the stage completes,
 * when the disk has brought the buffer down to {@link #LOW_WATER}. The gap between the marks
 * keeps smtpd from toggling reads per chunk. We count bytes ourselves instead of relying on
 * Source.queue's offer results because the stream's buffers count elements, not bytes, and
 * there are several of them (queue, cleanup, async boundaries); counting "taken by write() and
 * not yet out of cleanup" plus "out of cleanup but not yet appended to the body" covers all of
 * them. Every input cleanup takes in comes out with its next output (at the latest when the
 * content ends), so the count always drains to zero and a pause always ends. With content
 * checks cleanup may delete input (IGNORE): it then gives out an empty output for each input it
 * consumed, so deleted bytes leave the count too (what it still holds of a header or a body
 * line is then uncounted: at most about header_size_limit).
 */
final class QueueTransaction implements Transaction {

    private static final Logger log = LoggerFactory.getLogger("postfix/cleanup");
    private static final int STREAM_BUFFER = 16;
    /** Above this many buffered bytes write() asks smtpd to stop reading. */
    static final long HIGH_WATER = 256 * 1024;
    /** smtpd may read again once the buffer is down to this. */
    static final long LOW_WATER = 64 * 1024;
    /**
     * Content up to this size is held and cleaned at commit without a stream. Holding it costs no
     * more memory than streaming it may: the stream is allowed HIGH_WATER bytes too.
     */
    static final int HOLD_LIMIT = (int) HIGH_WATER;

    private final String queueId;
    private final Instant arrival;
    private final SessionInfo session;
    private final MailFrom sender;
    /** The client matched local_header_rewrite_clients: Postfix's rewrite_context "local". */
    private final boolean localRewrite;
    private final QueueReceiver receiver;
    /** cleanup's settings when the transaction began: a reload meanwhile applies to the next one. */
    private final QueueSettings settings;
    private final List<RcptTo> recipients = new ArrayList<>();

    /** Content held before any stream exists; null once the stream has started. */
    private ByteStringBuilder held = ByteString.createBuilder();
    private SourceQueueWithComplete<ByteString> queue;
    private CompletionStage<CleanupResult> cleanup;
    private CompletionStage<Done> written;
    private BodyWriter writer;
    /** The last chunk's write in the group commit, once commit() has handed it over. */
    private volatile CompletableFuture<Void> lastChunk;
    private long offered;
    private boolean tooBig;
    private boolean finished;

    // Backpressure state; written from smtpd's event loop and from the stream's threads.
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong maxBuffered = new AtomicLong();
    private volatile CompletableFuture<Void> writable;

    QueueTransaction(String queueId, Instant arrival, SessionInfo session, MailFrom sender, boolean localRewrite,
                     QueueReceiver receiver) {
        this.queueId = queueId;
        this.arrival = arrival;
        this.session = session;
        this.sender = sender;
        this.localRewrite = localRewrite;
        this.receiver = receiver;
        this.settings = receiver.settings();
        receiver.region().tell(new MessageRegion.Deliver(queueId, MessageActor.Prepare.INSTANCE));
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
    public CompletionStage<Void> write(ByteBuf chunk) {
        try {
            if (finished || tooBig) return READY;
            long limit = settings.messageSizeLimit();
            offered += chunk.readableBytes();
            if (limit > 0 && offered > limit) {
                tooBig = true;       // stop buffering; commit rejects
                return READY;
            }
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            if (queue == null) {
                if (offered <= HOLD_LIMIT) {
                    held.append(ByteString.fromArrayUnsafe(bytes));
                    return READY;
                }
                start();
            }
            if (written.toCompletableFuture().isDone()) return READY; // stream failed; commit reports it
            long now = buffer(bytes.length);
            // Never dropped: the stream's element buffer is small, but pending offers wait
            // (maxConcurrentOffers is unbounded); our byte count is what bounds them.
            queue.offer(ByteString.fromArrayUnsafe(bytes));
            return now <= HIGH_WATER ? READY : notWritable();
        } finally {
            chunk.release();
        }
    }

    /** A stage that completes once the buffer is down to LOW_WATER or the stream has ended. */
    private CompletionStage<Void> notWritable() {
        CompletableFuture<Void> w = writable;
        if (w == null || w.isDone()) {
            w = new CompletableFuture<>();
            writable = w;
        }
        // Re-check after publishing: drained() may have run between our add and the publish.
        if (buffered.get() <= LOW_WATER || written.toCompletableFuture().isDone()) w.complete(null);
        return w;
    }

    private long buffer(long n) {
        long now = buffered.addAndGet(n);
        maxBuffered.accumulateAndGet(now, Math::max);
        return now;
    }

    /** Cleanup turned {@code in} buffered bytes into {@code out} bytes, still buffered. */
    private void replaced(long in, long out) {
        long now = buffered.addAndGet(out - in);
        maxBuffered.accumulateAndGet(now, Math::max);
        if (now <= LOW_WATER) wakeWriter();
    }

    /** {@code n} bytes left our buffer (onto the body store). */
    private void drained(long n) {
        if (buffered.addAndGet(-n) <= LOW_WATER) wakeWriter();
    }

    private void wakeWriter() {
        CompletableFuture<Void> w = writable;
        if (w != null) w.complete(null);
    }

    /** Bytes of this message held in memory by the stream right now (for tests). */
    long buffered() { return buffered.get(); }

    /** The most ever held at once (for tests). */
    long maxBuffered() { return maxBuffered.get(); }

    private CleanupEnvelope envelope() {
        List<String> rcpts = recipients.stream().map(RcptTo::address).toList();
        return new CleanupEnvelope(queueId, arrival, sender.address(), rcpts, session.heloName(),
                session.clientName(), clientAddress(), session.receivedProtocol(),
                settings.alwaysAddMissingHeaders() || localRewrite, session.receivedComments());
    }

    private String clientAddress() {
        return session.clientAddress() == null ? "unknown" : session.clientAddress().getAddress().getHostAddress();
    }

    /** Starts the stream and gives it what was held so far. */
    private void start() {
        CleanupEnvelope env = envelope();
        // past HOLD_LIMIT already: a whole chunk's buffer at once, rather than doubling from 4 KiB
        // (4 + 8 + 16 + 32 + 64 KiB of garbage per big message)
        writer = receiver.bodies().openWriter(queueId, receiver.bodies().chunkSize());
        BodyWriter w = writer;
        QueueReceiver.DiskProbe probe = receiver.diskProbe();
        Sink<ByteString, CompletionStage<Done>> toStore = Sink.<ByteString>foreach(bytes -> {
            probe.beforeAppend(queueId, bytes.size());
            for (ByteBuffer b : bytes.getByteBuffers()) w.append(b);
            drained(bytes.size());
        }).withAttributes(ActorAttributes.dispatcher("pekko.actor.default-blocking-io-dispatcher"));
        // Bytes cleanup has taken in but not yet given out; both maps run in the same fused
        // stage island, so one thread at a time.
        long[] inCleanup = {0};
        Pair<Pair<SourceQueueWithComplete<ByteString>, CompletionStage<CleanupResult>>, CompletionStage<Done>> m =
                Source.<ByteString>queue(STREAM_BUFFER, OverflowStrategy.backpressure(), Integer.MAX_VALUE)
                        .map(bytes -> {
                            inCleanup[0] += bytes.size(); // still counted: cleanup holds it now
                            return bytes;
                        })
                        .viaMat(Cleanup.flow(settings.cleanup(), env), Keep.both())
                        .map(bytes -> {
                            // Out of cleanup, on its way to disk. Cleanup emits all it holds at
                            // once, so this output stands for every input byte taken in since
                            // the last one: swap them in one step, or the count would dip (and
                            // let smtpd write a piece too many) or peak in between.
                            long in = inCleanup[0];
                            inCleanup[0] = 0;
                            replaced(in, bytes.size());
                            return bytes;
                        })
                        .toMat(toStore, Keep.both())
                        .run(receiver.system());
        queue = m.first().first();
        cleanup = m.first().second();
        written = m.second();
        // However the stream ends, smtpd must not wait for room that will never come.
        written.whenComplete((d, f) -> wakeWriter());
        ByteString early = held.result();
        held = null;
        if (!early.isEmpty()) {
            buffer(early.size());
            queue.offer(early);
        }
    }

    @Override
    public CompletionStage<SmtpReply> commit() {
        if (finished) throw new IllegalStateException("transaction " + queueId + " already finished");
        finished = true;
        wakeWriter(); // no more content: nobody needs to wait for room
        if (tooBig) {
            if (queue != null) queue.fail(CleanupRejected.messageTooBig());
            return discard().thenApply(d -> reply(CleanupRejected.messageTooBig()));
        }
        if (queue == null) return queueMessage(cleanHeld());
        queue.complete();
        return queueMessage(written.thenCombine(cleanup, (done, result) -> result));
    }

    /**
     * Cleanup of the held content, on this thread. It and the appends only fill memory: a held
     * writer writes no chunk before finishWithNextCommit hands them all to the group commit.
     */
    private CompletionStage<CleanupResult> cleanHeld() {
        ByteString content = held.result();
        held = null;
        CleanupProcessor processor = new CleanupProcessor(settings.cleanup(), envelope());
        ByteString out;
        try {
            out = processor.push(content).concat(processor.finish());
        } catch (CleanupRejected r) {
            return CompletableFuture.failedFuture(r);
        }
        writer = receiver.bodies().openHeldWriter(queueId, out.size());
        try {
            for (ByteBuffer b : out.getByteBuffers()) writer.append(b);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(processor.result());
    }

    /** Once the body is in the writer: its last chunk and MessageReceived go to disk, then the reply. */
    private CompletionStage<SmtpReply> queueMessage(CompletionStage<CleanupResult> cleaned) {
        return cleaned
                .thenCompose(result -> {
                    if (result.discard()) {
                        // DISCARD of header/body_checks: the client is told the message was
                        // queued, as Postfix does, and nothing of it is kept
                        return discard().thenApply(d -> SmtpReply.of(250, "2.0.0", "Ok: queued as " + queueId));
                    }
                    // the last chunk rides in the group commit ahead of MessageReceived (see BodyWriter)
                    lastChunk = writer.finishWithNextCommit();
                    return persist(result).thenCombine(lastChunk, (reply, written) -> reply);
                })
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
        int clientPort = session.clientAddress() == null ? 0 : session.clientAddress().getPort();
        MessageReceived received = new MessageReceived(queueId, arrival, sender.address(), rcpts, sender.ret(),
                sender.envid(), result.size(), session.clientName(), clientAddress(), clientPort, session.heloName(),
                session.protocol(), session.saslUsername(), queueId, sender.smtputf8(), sender.body(),
                result.messageId(), session.serviceName(),
                session.serverAddress() == null ? null : session.serverAddress().getAddress().getHostAddress(),
                session.serverAddress() == null ? 0 : session.serverAddress().getPort(),
                localRewrite ? "local" : "remote");
        return Asks.<MessageRegion.Command, Done>askWithStatus(receiver.region(),
                        replyTo -> new MessageRegion.Deliver(queueId,
                                new MessageActor.Accept(received, replyTo, result.holdReason())),
                        QueueReceiver.ACCEPT_TIMEOUT, receiver.system().scheduler())
                .thenApply(done -> SmtpReply.of(250, "2.0.0", "Ok: queued as " + queueId));
    }

    @Override
    public void abort() {
        if (finished) return;
        finished = true;
        wakeWriter(); // the stream may be stuck in a slow append; the wait is over now
        held = null;
        if (queue != null) queue.fail(new IllegalStateException("transaction aborted"));
        discard();
    }

    private void abandon() {
        receiver.region().tell(new MessageRegion.Deliver(queueId, MessageActor.Abandon.INSTANCE));
    }

    /**
     * Stops the message's actor and removes whatever was written, once the stream and the group
     * commit no longer use the writer (at once when nothing was).
     */
    private CompletionStage<Done> discard() {
        abandon();
        if (writer == null) return CompletableFuture.completedFuture(Done.getInstance());
        Executor blocking = receiver.system().dispatchers().lookup(DispatcherSelector.blocking());
        CompletionStage<Void> pending = lastChunk == null ? CompletableFuture.completedFuture(null)
                : lastChunk.exceptionally(e -> null);
        CompletionStage<Done> streamed = written == null ? CompletableFuture.completedFuture(Done.getInstance())
                : written;
        return streamed.thenCombine(pending, (d, x) -> d).handleAsync((d, f) -> {
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
