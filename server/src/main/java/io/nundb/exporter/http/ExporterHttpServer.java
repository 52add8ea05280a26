package io.nundb.exporter.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Netty HTTP/1.1 server of the exporter, on its own event loop group (epoll when available, else
 * NIO), never shared with the Nun-db connections.
 *
 * <p>Memory: every connection has write-buffer water marks of {@value #LOW_WATER_MARK} and
 * {@value #HIGH_WATER_MARK} bytes; above the high one it stops reading and answering
 * ({@link OutboundBackpressureHandler}, {@link HttpPipeliningHandler}), and the bytes pending on such
 * stalled connections together are capped at {@link #STALLED_BYTES_BUDGET} (a quarter of Netty's direct
 * memory limit, at most 16 MiB): clients that do not read cannot exhaust the direct memory the node
 * clients and the renderer share with HTTP.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called by the owning (main or shutdown hook)
 * thread; {@link #port()} may be read from any thread after start.
 */
public final class ExporterHttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExporterHttpServer.class.getName());

    /**
     * bcrypt verifications allowed to start per second across all clients (cache misses only); the
     * others wait their turn, at most one per connection ({@link BasicAuthenticator}).
     */
    static final double BCRYPT_PER_SECOND = 10;

    static final int LOW_WATER_MARK = 32 * 1024;
    static final int HIGH_WATER_MARK = 64 * 1024;
    /** Bytes pending on all stalled (unwritable) connections together at most. */
    static final long STALLED_BYTES_BUDGET =
            Math.min(16L << 20, Math.max(1L << 20, PlatformDependent.maxDirectMemory() / 4));

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final int port;
    private final WebConfigWatcher webConfig;
    private final BasicAuthenticator authenticator;
    private final ExporterHttpInitializer initializer;

    private ExporterHttpServer(
            EventLoopGroup group,
            Channel serverChannel,
            WebConfigWatcher webConfig,
            BasicAuthenticator authenticator,
            ExporterHttpInitializer initializer) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        this.webConfig = webConfig;
        this.authenticator = authenticator;
        this.initializer = initializer;
    }

    /**
     * Binds and starts serving; blocks until bound.
     *
     * @param threads event loop threads for HTTP (1 is plenty: scrapes only copy references)
     * @throws InterruptedException if interrupted while binding
     * @throws RuntimeException (a Netty bind exception) if the address cannot be bound
     */
    public static ExporterHttpServer start(MetricsPublisher publisher, int threads) throws InterruptedException {
        try {
            return start(publisher, threads, WebServerOptions.DEFAULTS);
        } catch (WebConfigException e) {
            throw new IllegalStateException("unreachable: no web config file", e);
        }
    }

    /**
     * Binds and starts serving with connection limits and, if {@link WebServerOptions#webConfigFile()}
     * is set, TLS, basic auth and extra headers from that file (watched for changes); blocks until bound.
     *
     * @throws WebConfigException if the web configuration file does not load
     * @throws InterruptedException if interrupted while binding
     */
    public static ExporterHttpServer start(MetricsPublisher publisher, int threads, WebServerOptions options)
            throws InterruptedException, WebConfigException {
        WebConfigWatcher webConfig = options.webConfigFile() == null
                ? WebConfigWatcher.fixed(WebConfig.NONE)
                : WebConfigWatcher.start(options.webConfigFile(), options.webConfigPollInterval());
        BasicAuthenticator authenticator =
                new BasicAuthenticator(BCRYPT_PER_SECOND, options.maxConnections(), System::nanoTime);
        try {
            return bind(publisher, threads, options, webConfig, authenticator);
        } catch (InterruptedException | RuntimeException e) {
            webConfig.close();
            authenticator.close();
            throw e;
        }
    }

    private static ExporterHttpServer bind(
            MetricsPublisher publisher,
            int threads,
            WebServerOptions options,
            WebConfigWatcher webConfig,
            BasicAuthenticator authenticator)
            throws InterruptedException {
        ScrapeEndpointConfig config = publisher.config();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory("nundb-http", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ExporterHttpInitializer initializer =
                new ExporterHttpInitializer(publisher, options, webConfig, authenticator, STALLED_BYTES_BUDGET);
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(channelClass)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(
                            ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK))
                    .childHandler(initializer);
            InetSocketAddress address = config.host() == null || config.host().isEmpty()
                    ? new InetSocketAddress(config.port())
                    : new InetSocketAddress(config.host(), config.port());
            Channel ch = b.bind(address).sync().channel();
            ExporterHttpServer server = new ExporterHttpServer(group, ch, webConfig, authenticator, initializer);
            LOG.info("listening on " + ch.localAddress() + " (" + (epoll ? "epoll" : "nio")
                    + (webConfig.get().tls() ? ", TLS" : "") + (webConfig.get().basicAuth() ? ", basic auth" : "")
                    + ")");
            return server;
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * Connections currently open. Observability of the connection cap ({@code --web.max-connections}) for
     * an embedding application; the exporter exports none of these three figures as a metric today.
     */
    public int openConnections() {
        return initializer.openConnections();
    }

    /** Connections refused by the connection cap since start (observability, see {@link #openConnections()}). */
    public long rejectedConnections() {
        return initializer.rejectedConnections();
    }

    /**
     * Bytes of responses pending on connections that stopped reading them (unwritable ones) now
     * (observability, see {@link #openConnections()}).
     */
    public long stalledBytes() {
        return initializer.stalledBytes();
    }

    /** The holder of the web configuration, for reloads on SIGHUP. */
    public WebConfigWatcher webConfigWatcher() {
        return webConfig;
    }

    /** bcrypt verifications started since start (cache misses). */
    public long bcryptVerifications() {
        return authenticator.bcryptVerifications();
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
        webConfig.close();
        authenticator.close();
    }

    @Override
    public void close() {
        close(2000);
    }
}
