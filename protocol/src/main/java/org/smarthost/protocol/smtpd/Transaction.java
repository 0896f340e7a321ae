package org.smarthost.protocol.smtpd;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One message in flight between smtpd and the queue. Methods are called from one Netty event
 * loop thread, in order: addRecipient*, write*, then exactly one of commit or abort.
 */
public interface Transaction {

    /** Queue ID assigned at open, Postfix long-queue-ID style. */
    String queueId();

    void addRecipient(RcptTo recipient);

    /** Returned by {@link #write} when the receiver can take the next chunk at once. */
    CompletionStage<Void> READY = CompletableFuture.completedStage(null);

    /**
     * Message content as received after the DATA/BDAT command: dot-unstuffed, lines ending in
     * CRLF, without the terminating ".". The receiver takes ownership of {@code chunk} (must
     * release it). Chunks are streamed to disk; the whole message is never held in memory.
     *
     * <p>Backpressure: the returned stage completes when the receiver is ready for the next
     * chunk ({@link #READY} when it is ready now). The receiver keeps only a bounded amount of
     * content in memory; once that is above its high-water mark it returns a pending stage, and
     * smtpd stops reading from the socket until the stage completes (the client then waits in
     * TCP flow control, as with Postfix's smtpd blocked on a slow cleanup pipe). The receiver
     * still accepts a chunk written while a stage is pending (it never drops content), but smtpd
     * does not do that. The stage may complete on any thread. It also completes (normally)
     * when the transaction can make no more progress — stream failure, abort — so smtpd never
     * waits for nothing; such failures are reported by {@link #commit}.
     *
     * <p>Why a stage rather than {@code boolean write} plus an {@code onWritable} callback: smtpd
     * already waits for stages (restrictions, commit) with reads paused, and a stage has no
     * listener to unregister when the transaction ends; the common case costs no allocation.
     */
    CompletionStage<Void> write(ByteBuf chunk);

    /**
     * End of data. Completes when the message is durable (body and MessageReceived fsynced)
     * with {@code 250 2.0.0 Ok: queued as ID}, or with a rejection the cleanup stage produced
     * (e.g. {@code 554 5.4.0 Error: too many hops}). Completes exceptionally only on internal
     * failure, which smtpd turns into {@code 451 4.3.0 Error: queue file write error}.
     */
    CompletionStage<SmtpReply> commit();

    /** Client went away, RSET, or smtpd rejected the content: discard everything. */
    void abort();
}
