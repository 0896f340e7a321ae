package org.smarthost.loadtests.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.smtp.DefaultLastSmtpContent;
import io.netty.handler.codec.smtp.DefaultSmtpRequest;
import io.netty.handler.codec.smtp.SmtpCommand;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.handler.ssl.SslHandler;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One open SMTP session. Every method sends one thing and completes with the server's reply,
 * whatever its code; deciding which codes are acceptable is the caller's job. Replies complete on
 * the channel's event loop.
 */
public final class SmtpConnection implements AutoCloseable {

    private static final SmtpCommand STARTTLS = SmtpCommand.valueOf("STARTTLS");
    private static final SmtpCommand AUTH = SmtpCommand.valueOf("AUTH");

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
     * STARTTLS (RFC 3207). On a 220 the TLS handshake follows at once ({@link StartTls}: any
     * certificate is accepted, as opportunistic TLS between MTAs does), and the stage completes
     * with the 220 when the handshake has; it fails when the handshake does (the connection is
     * then closed). Any other reply completes it as it is, without TLS. After a 220 the server has
     * forgotten the session (RFC 3207 4.2): the caller sends EHLO again.
     */
    public CompletionStage<SmtpReply> startTls() {
        return write(new DefaultSmtpRequest(STARTTLS)).thenCompose(reply -> reply.code() != 220
                ? CompletableFuture.completedFuture(reply)
                // runs where the 220 was decoded, on the event loop, before any other read
                : StartTls.handshake(channel, handler.timeout()).thenApply(done -> reply));
    }

    /**
     * AUTH PLAIN with an initial response (RFC 4954, RFC 4616): {@code base64("\0" user "\0"
     * password)}, no authorization identity. 235 means authenticated; 535 bad credentials.
     */
    public CompletionStage<SmtpReply> authPlain(String user, String password) {
        return write(new DefaultSmtpRequest(AUTH, "PLAIN", plainResponse(user, password)));
    }

    /** RFC 4616's message, [authzid] NUL authcid NUL passwd in UTF-8, empty authzid, in base64. */
    static String plainResponse(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether STARTTLS has put TLS on this connection. */
    public boolean isEncrypted() {
        return channel.pipeline().get(SslHandler.class) != null;
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
