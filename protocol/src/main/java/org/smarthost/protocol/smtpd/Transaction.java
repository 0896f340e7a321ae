package org.smarthost.protocol.smtpd;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * One message in flight between smtpd and the queue. Methods are called from one Netty event
 * loop thread, in order: addRecipient*, write*, then exactly one of commit or abort.
 */
public interface Transaction {

    /** Queue ID assigned at open, Postfix long-queue-ID style. */
    String queueId();

    void addRecipient(RcptTo recipient);

    /**
     * Message content as received after the DATA/BDAT command: dot-unstuffed, lines ending in
     * CRLF, without the terminating ".". The receiver takes ownership of {@code chunk} (must
     * release it). Chunks are streamed to disk; the whole message is never held in memory.
     */
    void write(ByteBuf chunk);

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
