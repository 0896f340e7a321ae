package org.smarthost.loadtests.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.smtp.DefaultLastSmtpContent;
import io.netty.handler.codec.smtp.SmtpRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One open SMTP session. Every method sends one thing and completes with the server's reply,
 * whatever its code; deciding which codes are acceptable is the caller's job. Replies complete on
 * the channel's event loop.
 */
public final class SmtpConnection implements AutoCloseable {

    private final Channel channel;
    private final SmtpClientHandler handler;

    SmtpConnection(Channel channel, SmtpClientHandler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    /** Sends a command (EHLO, MAIL, RCPT, DATA, RSET, QUIT, ...) built with Netty's SmtpRequests. */
    public CompletionStage<SmtpReply> command(SmtpRequest request) {
        return write(request);
    }

    /**
     * Sends the message after a 354. The content must be CRLF-terminated lines, already
     * dot-stuffed; the encoder appends the terminating ".". The buffer is released by the write.
     */
    public CompletionStage<SmtpReply> content(ByteBuf message) {
        return write(new DefaultLastSmtpContent(message));
    }

    private CompletionStage<SmtpReply> write(Object message) {
        CompletableFuture<SmtpReply> reply = handler.expect();
        if (reply.isDone()) {
            io.netty.util.ReferenceCountUtil.release(message);
            return reply;
        }
        channel.writeAndFlush(message).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                reply.completeExceptionally(f.cause());
                f.channel().close();
            }
        });
        return reply;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Closes the TCP connection without QUIT. */
    @Override
    public void close() {
        channel.close();
    }
}
