package org.smarthost.protocol.client;

import io.netty.bootstrap.Bootstrap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.InputStream;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.smarthost.protocol.io.NettyTransport;
import org.smarthost.protocol.io.SocketErrors;

/**
 * One client connection to an SMTP/LMTP server on a Netty channel: send command lines, await
 * replies one at a time with a time limit each, stream a message body. Replies that arrive before
 * they are awaited (pipelining) are queued. All state is confined to the channel's event loop.
 * TCP or a UNIX-domain socket, on the client's transport (epoll on Linux, NIO elsewhere; see
 * {@link NettyTransport}).
 */
public final class SmtpConnection {

    /** The connection ended or a reply did not come in time. */
    static final class IoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean timeout;

        IoFailure(boolean timeout, String detail) {
            super(detail, null, false, false);
            this.timeout = timeout;
        }
    }

    private static final int MAX_LINE = 64 * 1024;

    private final Channel channel;
    private final Relay relay;
    private final long createdNanos = System.nanoTime();
    private final ArrayDeque<ServerReply> unread = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<ServerReply>> waiting = new ArrayDeque<>();
    private IoFailure failure;
    private EsmtpFeatures features = EsmtpFeatures.NONE;
    private int transactions;

    private SmtpConnection(Channel channel, Relay relay) {
        this.channel = channel;
        this.relay = relay;
    }

    /**
     * Connects; completes with the connection or fails with the OS error text ("Connection
     * refused", "Connection timed out", "No such file or directory").
     */
    static CompletableFuture<SmtpConnection> connect(NettyTransport transport, EventLoopGroup group, SocketAddress address,
                                                     Relay relay, Duration timeout) {
        CompletableFuture<SmtpConnection> result = new CompletableFuture<>();
        SmtpConnection[] holder = new SmtpConnection[1];
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channelFactory(transport.clientChannel(address))
                .handler(new ChannelInitializer<Channel>() {
                    @Override protected void initChannel(Channel ch) {
                        SmtpConnection connection = new SmtpConnection(ch, relay);
                        holder[0] = connection;
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new LineBasedFrameDecoder(MAX_LINE, true, false));
                        p.addLast(new ReplyDecoder());
                        p.addLast(new ChunkedWriteHandler());
                        p.addLast(connection.new Handler());
                    }
                });
        if (!(address instanceof UnixDomainSocketAddress)) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }
        bootstrap.connect(transport.clientAddress(address)).addListener(f -> {
            if (f.isSuccess()) result.complete(holder[0]);
            else result.completeExceptionally(new IoFailure(false, SocketErrors.text(f.cause())));
        });
        if (address instanceof UnixDomainSocketAddress && !timeout.isZero()) {
            group.next().schedule(() -> result.completeExceptionally(new IoFailure(true, "Connection timed out")),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return result;
    }

    public Relay relay() { return relay; }

    public EsmtpFeatures features() { return features; }

    void features(EsmtpFeatures features) { this.features = features; }

    /** The channel, for hooks that must change the pipeline (STARTTLS). */
    public Channel channel() { return channel; }

    public boolean isOpen() { return channel.isActive() && failure == null; }

    /** Whether STARTTLS has put TLS on this connection. */
    public boolean tlsActive() { return channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null; }

    Duration age() { return Duration.ofNanos(System.nanoTime() - createdNanos); }

    int transactions() { return transactions; }

    void countTransaction() { transactions++; }

    /** Sends command lines in one TCP write (one line, or a pipelined group). */
    public void send(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) sb.append(line).append("\r\n");
        channel.writeAndFlush(channel.alloc().buffer(sb.length()).writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public void send(String line) { send(List.of(line)); }

    /** Awaits the next reply; a timeout closes the connection (the session is then unusable). */
    public CompletableFuture<ServerReply> read(Duration timeout) {
        CompletableFuture<ServerReply> future = new CompletableFuture<>();
        runInLoop(() -> {
            if (!unread.isEmpty()) {
                future.complete(unread.poll());
                return;
            }
            if (failure != null) {
                future.completeExceptionally(failure);
                return;
            }
            waiting.add(future);
            if (!timeout.isZero()) {
                ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
                    if (!future.isDone()) fail(new IoFailure(true, "timeout"));
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
                future.whenComplete((r, e) -> timer.cancel(false));
            }
        });
        return future;
    }

    public CompletableFuture<ServerReply> command(String line, Duration timeout) {
        send(line);
        return read(timeout);
    }

    /**
     * Streams the body (dot-stuffed, with the final "."), failing when no progress is made for
     * {@code stallTimeout} ({@code smtp_data_xfer_timeout}).
     */
    CompletableFuture<Void> sendBody(InputStream in, Duration stallTimeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] lastProgress = {System.nanoTime()};
        DotStuffedBody body = new DotStuffedBody(in, () -> lastProgress[0] = System.nanoTime());
        channel.writeAndFlush(body).addListener(f -> {
            if (f.isSuccess()) done.complete(null);
            else {
                IoFailure lost = new IoFailure(false, SocketErrors.text(f.cause()));
                runInLoop(() -> fail(lost));
                done.completeExceptionally(lost);
            }
        });
        if (!stallTimeout.isZero()) {
            long period = Math.max(50, Math.min(1000, stallTimeout.toMillis() / 4));
            ScheduledFuture<?> watchdog = channel.eventLoop().scheduleAtFixedRate(() -> {
                if (!done.isDone() && System.nanoTime() - lastProgress[0] > stallTimeout.toNanos()) {
                    IoFailure timedOut = new IoFailure(true, "timeout");
                    done.completeExceptionally(timedOut);
                    fail(timedOut);
                }
            }, period, period, TimeUnit.MILLISECONDS);
            done.whenComplete((r, e) -> watchdog.cancel(false));
        }
        return done;
    }

    public void close() {
        channel.close();
    }

    private void runInLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) task.run();
        else channel.eventLoop().execute(task);
    }

    private void fail(IoFailure cause) {
        if (failure == null) failure = cause;
        CompletableFuture<ServerReply> w;
        while ((w = waiting.poll()) != null) w.completeExceptionally(failure);
        channel.close();
    }

    private final class Handler extends SimpleChannelInboundHandler<ServerReply> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, ServerReply reply) {
            CompletableFuture<ServerReply> w = waiting.poll();
            if (w != null) w.complete(reply);
            else unread.add(reply);
        }

        @Override public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IoFailure(false, "connection closed"));
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(new IoFailure(false, SocketErrors.text(cause)));
        }
    }

}
