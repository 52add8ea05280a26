package io.nundb.exporter.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Netty HTTP/1.1 server of the exporter, on its own event loop group (epoll when available, else
 * NIO), never shared with the Nun-db connections.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called by the owning (main or shutdown hook)
 * thread; {@link #port()} may be read from any thread after start.
 */
public final class ExporterHttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExporterHttpServer.class.getName());

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final int port;

    private ExporterHttpServer(EventLoopGroup group, Channel serverChannel) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Binds and starts serving; blocks until bound.
     *
     * @param threads event loop threads for HTTP (1 is plenty: scrapes only copy references)
     * @throws InterruptedException if interrupted while binding
     * @throws RuntimeException (a Netty bind exception) if the address cannot be bound
     */
    public static ExporterHttpServer start(MetricsPublisher publisher, int threads) throws InterruptedException {
        ScrapeEndpointConfig config = publisher.config();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory("nundb-http", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(channelClass)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ExporterHttpInitializer(publisher));
            InetSocketAddress address = config.host() == null || config.host().isEmpty()
                    ? new InetSocketAddress(config.port())
                    : new InetSocketAddress(config.host(), config.port());
            Channel ch = b.bind(address).sync().channel();
            ExporterHttpServer server = new ExporterHttpServer(group, ch);
            LOG.info("listening on " + ch.localAddress() + " (" + (epoll ? "epoll" : "nio") + ")");
            return server;
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The bound port (the ephemeral one when configured with 0). */
    public int port() {
        return port;
    }

    /**
     * Stops accepting, lets in-flight exchanges finish for up to {@code graceMillis}, then closes every
     * connection.
     */
    public void close(long graceMillis) {
        serverChannel.close().awaitUninterruptibly(graceMillis);
        group.shutdownGracefully(100, Math.max(100, graceMillis), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(graceMillis + 1000);
    }

    @Override
    public void close() {
        close(2000);
    }
}
