package io.nundb.exporter.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport for this platform: epoll when its native library loads, NIO otherwise. Every
 * event-loop group of the exporter (Nun-db client, HTTP server, simulator) is created here so that
 * channel classes always match their group.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 */
public enum Transport {
    EPOLL,
    NIO;

    /** Epoll when available (Linux with the native library), else NIO. */
    public static Transport best() {
        return Boolean.getBoolean("nundb.transport.nio") || !Epoll.isAvailable() ? NIO : EPOLL;
    }

    /** A new group of {@code threads} daemon threads named {@code <name>-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
