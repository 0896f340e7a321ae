package org.smarthost.protocol.smtpd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import org.smarthost.protocol.io.NettyTransport;
import org.smarthost.protocol.smtpd.codec.SmtpReplyEncoder;
import org.smarthost.protocol.smtpd.codec.SmtpServerDecoder;
import org.smarthost.protocol.smtpd.restrictions.RestrictionEngine;
import org.smarthost.protocol.smtpd.restrictions.Restrictions;
import org.smarthost.protocol.smtpd.restrictions.SmtpdTables;

/**
 * One smtpd service (a master.cf "inet" line): listens, runs one {@link SmtpdSession} per
 * connection, and bounds concurrent sessions by the service's process limit the way Postfix's
 * master does: at the limit it stops accepting (connections wait in the listen backlog) and
 * resumes when a session ends.
 */
public final class SmtpServer {

    private final SmtpdSettings settings;
    private final NettyTransport transport = NettyTransport.best();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Set<SmtpdSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Channel> children = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private volatile Channel serverChannel;
    private volatile boolean shuttingDown;
    private CompletableFuture<Void> stopped;

    private SmtpServer(SmtpdSettings settings) {
        this.settings = settings;
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workers = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
    }

    public static SmtpServer start(SmtpdSettings settings, MessageReceiver receiver, InetSocketAddress bind,
                                   String serviceName) {
        return start(settings, receiver, bind, serviceName, Restrictions.builtin());
    }

    /** As {@link #start(SmtpdSettings, MessageReceiver, InetSocketAddress, String)}, with extra restriction names. */
    public static SmtpServer start(SmtpdSettings settings, MessageReceiver receiver, InetSocketAddress bind,
                                   String serviceName, Restrictions registry) {
        SmtpServer server = new SmtpServer(settings);
        SmtpdTables tables = new SmtpdTables(settings);
        RestrictionEngine engine = new RestrictionEngine(registry, tables);
        ServerBootstrap b = new ServerBootstrap()
                .group(server.boss, server.workers)
                .channel(server.transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 100)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Counted on the listener's own event loop as each connection is accepted: there
                // the native transport stops accepting at once when autoRead goes off; from another
                // thread it takes one more connection if a read was already requested.
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object child) {
                        server.childAccepted((Channel) child);
                        ctx.fireChannelRead(child);
                    }
                })
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SmtpServerDecoder decoder = new SmtpServerDecoder(settings.limits().lineLengthLimit(), true);
                        long idle = settings.limits().smtpdTimeout().toMillis();
                        ch.pipeline()
                                .addLast("timeout", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("encoder", SmtpReplyEncoder.INSTANCE)
                                .addLast("decoder", decoder)
                                .addLast("smtpd", new SmtpdSession(settings, tables, engine, receiver, serviceName,
                                        server, decoder));
                    }
                });
        try {
            server.serverChannel = b.bind(bind).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.release();
            throw new IllegalStateException("interrupted while binding " + bind, e);
        } catch (RuntimeException e) {
            server.release();
            LoggerFactory.getLogger(settings.logName()).error("fatal: bind {} port {}: {}", bind.getAddress().getHostAddress(), bind.getPort(), e.getMessage());
            throw e;
        }
        return server;
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Sessions currently connected. */
    public int activeSessions() {
        return active.get();
    }

    /** Close the listening socket; running sessions continue. */
    public void stopAccepting() {
        Channel ch = serverChannel;
        if (ch != null && ch.isOpen()) ch.close().syncUninterruptibly();
    }

    /**
     * Graceful stop: no new connections; a session in a mail transaction may finish it, an
     * idle session gets "421 4.3.2 myhostname Service shutting down" and is closed. After
     * {@code grace} every remaining session is told the same and closed.
     */
    public synchronized CompletionStage<Void> shutdown(Duration grace) {
        if (stopped != null) return stopped;
        shuttingDown = true;
        stopAccepting();
        for (SmtpdSession s : sessions) s.requestShutdown();
        if (active.get() == 0) allClosed.complete(null);
        CompletableFuture<Void> done = new CompletableFuture<>();
        stopped = done;
        var graceTimer = workers.schedule(() -> {
            for (SmtpdSession s : sessions) s.forceShutdown();
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
        allClosed.whenComplete((v, e) -> {
            graceTimer.cancel(false);
            release();
            done.complete(null);
        });
        return done;
    }

    /** The event loops, and the SASL server's connection, which belongs to this service. */
    private void release() {
        if (settings.sasl().server() != null) settings.sasl().server().close();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    // ---- session accounting (process_limit)

    // Synchronized with childFinished so that the autoRead toggles follow the count's order.
    private synchronized void childAccepted(Channel ch) {
        children.add(ch);
        int n = active.incrementAndGet();
        if (settings.processLimit() > 0 && n >= settings.processLimit()) {
            ch.parent().config().setAutoRead(false);
        }
        ch.closeFuture().addListener(f -> children.remove(ch));
    }

    /** Called at the very end of a session (after its disconnect log and transaction abort). */
    private synchronized void childFinished() {
        int left = active.decrementAndGet();
        Channel sc = serverChannel;
        if (sc != null && sc.isOpen() && !shuttingDown
                && (settings.processLimit() <= 0 || left < settings.processLimit())) {
            sc.config().setAutoRead(true);
        }
        if (shuttingDown && left == 0) allClosed.complete(null);
    }

    void sessionOpened(SmtpdSession s) {
        sessions.add(s);
        if (shuttingDown) s.requestShutdown();
    }

    void sessionClosed(SmtpdSession s) {
        sessions.remove(s);
        childFinished();
    }
}
