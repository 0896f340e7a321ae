package org.smarthost.protocol.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SocketErrorsTest {

    @TempDir
    Path dir;

    @Test
    void messagesOfEachForm() {
        assertEquals("Connection refused", SocketErrors.text(new ConnectException("Connection refused: /127.0.0.1:25")));
        assertEquals("Connection refused", SocketErrors.text(new ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:25")));
        assertEquals("Connection reset by peer", SocketErrors.text(new IOException(
                "readAddress(..) failed with error(-104): Connection reset by peer")));
        assertEquals("No such file or directory", SocketErrors.text(new ConnectException(
                "connect(..) failed: No such file or directory: /var/run/x.sock")));
        assertEquals("No such file or directory", SocketErrors.text(new FileNotFoundException()));
        assertEquals("Connection timed out", SocketErrors.text(new ConnectTimeoutException("connection timed out after 30000 ms")));
        assertEquals("IOException", SocketErrors.text(new IOException()));
    }

    /** What each transport really reports, so a Netty upgrade that words it differently is caught. */
    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void realFailuresOfEachTransport(NettyTransport transport) throws Exception {
        assumeTrue(transport != NettyTransport.EPOLL || Epoll.isAvailable(), "no native epoll here");
        EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("socket-errors-test", true));
        try {
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            assertEquals("Connection refused", failure(transport, group,
                    new InetSocketAddress("127.0.0.1", closedPort)));
            assertEquals("No such file or directory", failure(transport, group,
                    UnixDomainSocketAddress.of(dir.resolve("missing.sock"))));
            // A listener whose accept queue is full: Linux drops further SYNs, so connect waits
            // until its time limit.
            try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                List<Socket> queued = new ArrayList<>();
                try {
                    for (int i = 0; i < 4; i++) {
                        Socket s = new Socket();
                        try {
                            s.connect(full.getLocalSocketAddress(), 300);
                            queued.add(s);
                        } catch (IOException e) {
                            s.close();
                            break; // the queue is full
                        }
                    }
                    assertEquals("Connection timed out", failure(transport, group, full.getLocalSocketAddress()));
                } finally {
                    for (Socket s : queued) s.close();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String failure(NettyTransport transport, EventLoopGroup group, SocketAddress address) throws Exception {
        ChannelFuture f = new Bootstrap().group(group)
                .channelFactory(transport.clientChannel(address))
                .handler(new ChannelInboundHandlerAdapter())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 500)
                .connect(transport.clientAddress(address));
        assertEquals(true, f.await(10, TimeUnit.SECONDS), "connect did not end");
        assertEquals(false, f.isSuccess(), "connected to " + address);
        return SocketErrors.text(f.cause());
    }
}
