package org.smarthost.protocol.io;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The socket transport for TCP listeners: Linux's native epoll where its library loads, the JDK's
 * NIO everywhere else. A smarthost takes a new TCP connection for nearly every message it
 * receives; the native transport makes fewer system calls and less garbage per connection and
 * per wake-up than NIO's selector.
 */
public enum NettyTransport {
    EPOLL, NIO;

    /** The best transport this JVM can load. */
    public static NettyTransport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Event loops of this transport, for {@code MultiThreadIoEventLoopGroup}. */
    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The listening socket's channel class; it must match the event loops' transport. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
