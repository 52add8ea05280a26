package io.nundb.exporter.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
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
 * keep-alive, a small aggregator that rejects large bodies with 413, then one handler per concern:
 *
 * <pre>{@code
 * p.addLast(backpressure);                                // OutboundBackpressureHandler
 * p.addLast(sslHandler);                                  // only with TLS
 * p.addLast(readTimeout);                                 // RequestReadTimeoutHandler
 * p.addLast(new IdleStateHandler(0, 0, idleMillis, MILLISECONDS));
 * p.addLast(new HttpServerCodec(decoderConfig));
 * p.addLast(readTimeout.requestComplete());
 * p.addLast(responseHeaders);                             // ResponseHeadersHandler, shared
 * p.addLast(new HttpServerKeepAliveHandler());
 * p.addLast(new HttpObjectAggregator(maxRequestBody));
 * p.addLast(new HttpPipeliningHandler());                 // one request at a time, responses in order
 * p.addLast(router);                                      // RequestRouter: 400/404/405, else a RoutedRequest
 * p.addLast(health);                                      // HealthHandler: /-/healthy, /-/ready (open)
 * p.addLast(basicAuth);                                   // BasicAuthHandler: 401/429 for the rest
 * p.addLast(metrics);                                     // MetricsHandler: the telemetry path
 * p.addLast(pages);                                       // ClusterPagesHandler: /, /discovery, /probe
 * p.addLast(closeOnIdleOrError);                          // ConnectionCloseHandler
 * }</pre>
 *
 * <p>The event loops only serve cached bytes and constant responses; whatever takes a cluster snapshot or
 * renders runs on the publisher thread.
 *
 * <p>Thread-safety: stateless apart from immutable settings, the shared {@code @Sharable} handlers and
 * the atomic connection count; shared by all accepted channels.
 */
final class ExporterHttpInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOG = Logger.getLogger(ExporterHttpInitializer.class.getName());

    private final ScrapeEndpointConfig config;
    private final WebServerOptions options;
    private final WebConfigWatcher webConfig;
    private final ResponseHeadersHandler responseHeaders;
    private final RequestRouter router;
    private final HealthHandler health;
    private final BasicAuthHandler basicAuth;
    private final MetricsHandler metrics;
    private final ClusterPagesHandler pages;
    private final ConnectionCloseHandler closeOnIdleOrError = new ConnectionCloseHandler();
    private final OutboundBackpressureHandler.StalledBytes stalled;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();

    /**
     * @param authenticator checks credentials when the web configuration has users; may be {@code null}
     *     only if it never has
     * @param stalledBytesBudget bytes pending on all unwritable connections together at most
     */
    ExporterHttpInitializer(
            MetricsPublisher publisher,
            WebServerOptions options,
            WebConfigWatcher webConfig,
            BasicAuthenticator authenticator,
            long stalledBytesBudget) {
        this.config = publisher.config();
        this.stalled = new OutboundBackpressureHandler.StalledBytes(stalledBytesBudget);
        this.options = options;
        this.webConfig = webConfig;
        this.responseHeaders = new ResponseHeadersHandler(webConfig);
        this.router = new RequestRouter(config.telemetryPath());
        this.health = new HealthHandler(publisher::healthy, publisher::ready);
        this.basicAuth = new BasicAuthHandler(webConfig, authenticator);
        this.metrics = new MetricsHandler(publisher);
        this.pages = new ClusterPagesHandler(publisher, publisher::offload, webConfig);
    }

    @Override
    protected void initChannel(Channel ch) {
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
        p.addLast(new OutboundBackpressureHandler(stalled));
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
        p.addLast(new HttpPipeliningHandler());
        p.addLast(router);
        p.addLast(health);
        p.addLast(basicAuth);
        p.addLast(metrics);
        p.addLast(pages);
        p.addLast(closeOnIdleOrError);
    }

    /** Connections currently open (accepted and not closed). */
    int openConnections() {
        return open.get();
    }

    /** Bytes pending on unwritable connections now. */
    long stalledBytes() {
        return stalled.total();
    }

    /** Connections refused by the cap since start. */
    long rejectedConnections() {
        return rejected.get();
    }
}
