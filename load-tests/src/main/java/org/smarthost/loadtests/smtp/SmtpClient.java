package org.smarthost.loadtests.smtp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.smtp.SmtpRequestEncoder;
import io.netty.handler.codec.smtp.SmtpResponseDecoder;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens SMTP sessions on Netty's SMTP client codec. The event loop is chosen per connection so a
 * caller (Gatling) can keep each session on the thread that drives its virtual user.
 */
public final class SmtpClient {

    /** RFC 5321 4.5.3.1.5: a reply line is at most 512 octets; be lenient with long EHLO lines. */
    private static final int MAX_LINE = 2048;

    private final ChannelFactory<? extends Channel> channelFactory;
    private final Duration replyTimeout;
    private final int connectTimeoutMillis;

    /**
     * @param channelFactory makes channels that fit the event loops passed to {@link #connect}
     * @param replyTimeout   how long to wait for any reply (greeting included) before giving up
     */
    public SmtpClient(ChannelFactory<? extends Channel> channelFactory, Duration replyTimeout) {
        this.channelFactory = channelFactory;
        this.replyTimeout = replyTimeout;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, replyTimeout.toMillis());
    }

    /**
     * Connects and waits for the greeting. Completes with the connection once a 220 arrives;
     * completes exceptionally on a refused connection, a timeout, or any other greeting (the
     * connection is then closed).
     */
    public CompletionStage<SmtpConnection> connect(InetSocketAddress server, EventLoopGroup loop) {
        SmtpClientHandler handler = new SmtpClientHandler(replyTimeout);
        CompletableFuture<SmtpConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(
                                new SmtpResponseDecoder(MAX_LINE),
                                new SmtpRequestEncoder(),
                                handler);
                    }
                });
        bootstrap.connect(server).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            SmtpConnection connection = new SmtpConnection(f.channel(), handler);
            handler.greeting().whenComplete((greeting, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else if (greeting.code() != 220) {
                    connection.close();
                    result.completeExceptionally(new SmtpReplyException("greeting", greeting));
                } else {
                    result.complete(connection);
                }
            });
        });
        return result;
    }
}
