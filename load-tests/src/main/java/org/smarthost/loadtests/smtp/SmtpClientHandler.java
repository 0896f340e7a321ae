package org.smarthost.loadtests.smtp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Matches replies to the one command in flight. The client never pipelines, so at most one reply
 * is awaited; the greeting is the reply awaited before any command.
 */
final class SmtpClientHandler extends SimpleChannelInboundHandler<SmtpResponse> {

    private final Duration timeout;
    private volatile CompletableFuture<SmtpReply> pending;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext ctx;

    SmtpClientHandler(Duration timeout) {
        this.timeout = timeout;
        this.pending = new CompletableFuture<>(); // the 220 greeting
    }

    /** How long any reply (and a TLS handshake) may take. */
    Duration timeout() {
        return timeout;
    }

    /** The greeting's future; valid until the first {@link #expect()}. */
    CompletableFuture<SmtpReply> greeting() {
        return pending;
    }

    /** Registers the reply to the command about to be written; must precede the write. */
    CompletableFuture<SmtpReply> expect() {
        CompletableFuture<SmtpReply> f = new CompletableFuture<>();
        if (pending != null && !pending.isDone()) {
            f.completeExceptionally(new IllegalStateException("a command is already in flight"));
            return f;
        }
        pending = f;
        if (ctx != null) {
            // Gatling calls this on the connection's own event loop: arm at once, no task hop
            if (ctx.executor().inEventLoop()) {
                armTimer();
            } else {
                ctx.executor().execute(this::armTimer);
            }
        }
        return f;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        armTimer();
        super.channelActive(ctx);
    }

    private void armTimer() {
        cancelTimer();
        CompletableFuture<SmtpReply> f = pending;
        if (f == null || f.isDone()) {
            return;
        }
        timer = ctx.executor().schedule(() -> {
            if (f.completeExceptionally(new TimeoutException("no SMTP reply within " + timeout))) {
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SmtpResponse response) {
        cancelTimer();
        List<String> lines = new ArrayList<>(response.details().size());
        for (CharSequence line : response.details()) {
            lines.add(line.toString());
        }
        SmtpReply reply = new SmtpReply(response.code(), lines);
        CompletableFuture<SmtpReply> f = pending;
        if (f == null || !f.complete(reply)) {
            // A reply nobody asked for (e.g. 421 on idle timeout): the dialogue is out of step.
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        CompletableFuture<SmtpReply> f = pending;
        if (f != null && !f.isDone()) {
            // only a reply still awaited needs the exception (and its stack trace): after QUIT's
            // 221 every session ends here
            f.completeExceptionally(new ClosedChannelException());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        cancelTimer();
        fail(cause instanceof IOException ? cause : new IOException(cause));
        ctx.close();
    }

    private void fail(Throwable cause) {
        CompletableFuture<SmtpReply> f = pending;
        if (f != null) {
            f.completeExceptionally(cause);
        }
    }
}
