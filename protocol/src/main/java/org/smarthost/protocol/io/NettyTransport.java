package org.smarthost.protocol.io;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.ThreadFactory;

/**
 * The socket transport, for listeners and for the delivery agents' connections alike: Linux's
 * native epoll where its library loads, the JDK's NIO everywhere else. A smarthost takes a new TCP
 * connection for nearly every message it receives and hands each delivery's commands to the
 * client's event loop from an actor's thread; the native transport makes fewer system calls and
 * less garbage per connection and per wake-up than NIO's selector.
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

    /** A group of {@code threads} event loops of this transport. */
    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    /** The listening socket's channel class; it must match the event loops' transport. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * The client channel for {@code address}: TCP, or a UNIX-domain stream socket for a
     * {@link UnixDomainSocketAddress}; it must run on event loops of this transport.
     */
    public ChannelFactory<Channel> clientChannel(SocketAddress address) {
        boolean unix = address instanceof UnixDomainSocketAddress;
        if (this == EPOLL) {
            return unix ? EpollDomainSocketChannel::new : EpollSocketChannel::new;
        }
        return unix ? NioDomainSocketChannel::new : NioSocketChannel::new;
    }

    /** {@code address} as this transport's client channels take it (epoll has its own UNIX-domain address type). */
    public SocketAddress clientAddress(SocketAddress address) {
        if (this == EPOLL && address instanceof UnixDomainSocketAddress unix) {
            return new DomainSocketAddress(unix.getPath().toString());
        }
        return address;
    }
}
