package org.smarthost.loadtests.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.smtp.SmtpRequests;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One mail transaction on an open session: MAIL FROM, RCPT TO per recipient, DATA, the message.
 * Each command's round trip is reported to a {@link StepListener}, so a load generator can keep
 * per-command latencies; the returned stage completes with the final 250 or fails with the first
 * unexpected reply ({@link SmtpReplyException}) or transport error.
 */
public final class MailTransaction {

    /** Step names, also used as Gatling request names. */
    public static final String MAIL = "MAIL FROM";
    public static final String RCPT = "RCPT TO";
    public static final String DATA = "DATA";
    public static final String END_OF_DATA = "end of data";

    /** Receives the outcome of each command as it completes. */
    @FunctionalInterface
    public interface StepListener {
        /** Exactly one of {@code reply} (any code) and {@code error} is non-null. */
        void step(String step, long startMillis, long endMillis, SmtpReply reply, Throwable error);
    }

    private final SmtpConnection connection;
    private final LongSupplier clock;
    private final StepListener listener;

    public MailTransaction(SmtpConnection connection, LongSupplier clock, StepListener listener) {
        this.connection = connection;
        this.clock = clock;
        this.listener = listener;
    }

    /** Runs the transaction; {@code message} is released whatever happens. */
    public CompletionStage<SmtpReply> send(Envelope envelope, ByteBuf message) {
        CompletionStage<SmtpReply> dialogue =
                timed(MAIL, () -> connection.command(SmtpRequests.mail(envelope.sender())), 2);
        for (String recipient : envelope.recipients()) {
            dialogue = dialogue.thenCompose(r ->
                    timed(RCPT, () -> connection.command(SmtpRequests.rcpt(recipient)), 2));
        }
        CompletionStage<SmtpReply> result = dialogue
                .thenCompose(r -> timed(DATA, () -> connection.command(SmtpRequests.data()), 3))
                .thenCompose(r -> timed(END_OF_DATA, () -> connection.content(message.retain()), 2));
        return result.whenComplete((r, e) -> ReferenceCountUtil.release(message));
    }

    private CompletionStage<SmtpReply> timed(String name, Supplier<CompletionStage<SmtpReply>> send,
                                             int expectedClass) {
        long start = clock.getAsLong();
        CompletableFuture<SmtpReply> outcome = new CompletableFuture<>();
        send.get().whenComplete((reply, error) -> {
            listener.step(name, start, clock.getAsLong(), reply, error);
            if (error != null) {
                outcome.completeExceptionally(error);
            } else if (reply.code() / 100 == expectedClass) {
                outcome.complete(reply);
            } else {
                outcome.completeExceptionally(new SmtpReplyException(name, reply));
            }
        });
        return outcome;
    }
}
