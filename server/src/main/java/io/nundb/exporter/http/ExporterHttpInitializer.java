package io.nundb.exporter.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pipeline of one HTTP connection: the connection cap (a connection over
 * {@link WebServerOptions#maxConnections()} is closed at once, with a TCP reset, before any handler is
 * added), TLS when the current web configuration has it, the request read timeout (slowloris), the
 * keep-alive idle timeout, bounded HTTP/1.1 decoding (request line, headers), extra response headers,
 * keep-alive, a small aggregator that rejects large bodies with 413, then the router.
 *
 * <p>Thread-safety: stateless apart from immutable settings and the atomic connection count; shared by
 * all accepted channels.
 */
final class ExporterHttpInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger LOG = Logger.getLogger(ExporterHttpInitializer.class.getName());

    private final MetricsPublisher publisher;
    private final ScrapeEndpointConfig config;
    private final WebServerOptions options;
    private final WebConfigWatcher webConfig;
    private final BasicAuthenticator authenticator;
    private final ResponseHeadersHandler responseHeaders;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();

    ExporterHttpInitializer(
            MetricsPublisher publisher,
            WebServerOptions options,
            WebConfigWatcher webConfig,
            BasicAuthenticator authenticator) {
        this.publisher = publisher;
        this.config = publisher.config();
        this.options = options;
        this.webConfig = webConfig;
        this.authenticator = authenticator;
        this.responseHeaders = new ResponseHeadersHandler(webConfig);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (open.incrementAndGet() > options.maxConnections()) {
            open.decrementAndGet();
            long n = rejected.incrementAndGet();
            if (n == 1 || Long.bitCount(n) == 1) { // log the 1st, 2nd, 4th, 8th... rejection
                LOG.log(
                        Level.WARNING,
                        "connection cap of " + options.maxConnections() + " reached; " + n
                                + " connections refused so far");
            }
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        WebConfig web = webConfig.get();
        ChannelPipeline p = ch.pipeline();
        if (web.tls()) {
            p.addLast(web.sslContext().newHandler(ch.alloc()));
        }
        RequestReadTimeoutHandler readTimeout =
                new RequestReadTimeoutHandler(options.headerTimeout().toMillis());
        p.addLast(readTimeout);
        p.addLast(new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(8192)));
        p.addLast(readTimeout.requestComplete());
        p.addLast(responseHeaders);
        p.addLast(new HttpServerKeepAliveHandler());
        p.addLast(new HttpObjectAggregator(config.maxRequestBody()));
        p.addLast(new ExporterHttpHandler(publisher, webConfig, authenticator));
    }

    /** Connections currently open (accepted and not closed). */
    int openConnections() {
        return open.get();
    }

    /** Connections refused by the cap since start. */
    long rejectedConnections() {
        return rejected.get();
    }
}
