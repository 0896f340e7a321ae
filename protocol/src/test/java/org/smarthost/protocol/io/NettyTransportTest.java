package org.smarthost.protocol.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NettyTransportTest {

    @Test
    void linuxOnX8664GetsTheNativeTransport() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
                "the native library is packaged for Linux x86-64 only");
        assertEquals(NettyTransport.EPOLL, NettyTransport.best(),
                "epoll did not load: " + Epoll.unavailabilityCause());
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void eachTransportServesATcpConnection(NettyTransport transport) throws Exception {
        assumeTrue(transport != NettyTransport.EPOLL || Epoll.isAvailable(), "no native epoll here");
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(loops)
                    .channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer("220 " + transport + "\r\n", StandardCharsets.US_ASCII))
                                    .addListener(ChannelFutureListener.CLOSE);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                assertEquals("220 " + transport, in.readLine());
            }
            server.close().sync();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The delivery agents' side: each transport's client channel reaches a TCP and a UNIX-domain server. */
    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void eachTransportConnectsAClientOverTcpAndUnix(NettyTransport transport, @TempDir Path dir) throws Exception {
        assumeTrue(transport != NettyTransport.EPOLL || Epoll.isAvailable(), "no native epoll here");
        EventLoopGroup loops = transport.newGroup(1, new DefaultThreadFactory("transport-test", true));
        try (ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
             ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            tcp.bind(new InetSocketAddress("127.0.0.1", 0));
            unix.bind(UnixDomainSocketAddress.of(dir.resolve("server.sock")));
            for (ServerSocketChannel server : List.of(tcp, unix)) {
                SocketAddress address = server.getLocalAddress();
                CompletableFuture<String> greeting = new CompletableFuture<>();
                Channel client = new Bootstrap().group(loops)
                        .channelFactory(transport.clientChannel(address))
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf in = (ByteBuf) msg;
                                greeting.complete(in.toString(StandardCharsets.US_ASCII));
                                in.release();
                            }
                        })
                        .connect(transport.clientAddress(address)).sync().channel();
                try (SocketChannel accepted = server.accept()) {
                    accepted.write(ByteBuffer.wrap("220 hello\r\n".getBytes(StandardCharsets.US_ASCII)));
                    assertEquals("220 hello\r\n", greeting.get(10, TimeUnit.SECONDS), address.toString());
                }
                client.close().sync();
            }
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
