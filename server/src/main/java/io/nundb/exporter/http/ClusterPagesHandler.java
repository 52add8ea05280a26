package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.nundb.exporter.http.RoutedRequest.Route;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The pages built from the cluster's current snapshot: the landing page {@code /} (HTML), {@code /discovery}
 * (Prometheus HTTP service discovery, JSON) and {@code /probe?target=NODE} (one known node's series in the
 * negotiated format; 404 for a node the exporter does not know, 400 without exactly one target; never
 * dials). Taking a snapshot and rendering run on the publisher thread ({@link MetricsPublisher#offload});
 * the response is written back on the channel's event loop, and {@link HttpPipeliningHandler} holds later
 * requests meanwhile. Passes every other request on.
 *
 * <pre>{@code
 * p.addLast(metrics);
 * p.addLast(pages);
 * p.addLast(closeOnError);
 * }</pre>
 *
 * <p>Allocates per request (pages are for people and service discovery, not for scrapes).
 *
 * <p>Thread-safety: immutable; {@link Sharable}. The offloaded work reads only the source and
 * immutable settings.
 */
@Sharable
final class ClusterPagesHandler extends RouteHandler {
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JSON = "application/json; charset=utf-8";

    private final MetricsPublisher publisher;
    private final Executor offload;
    private final Supplier<WebConfig> webConfig;

    /**
     * @param offload where snapshots are taken and pages rendered, off the event loops:
     *     {@code publisher::offload} outside tests
     * @param webConfig the current web configuration (whether discovery advertises https)
     */
    ClusterPagesHandler(MetricsPublisher publisher, Executor offload, Supplier<WebConfig> webConfig) {
        super(Route.LANDING, Route.DISCOVERY, Route.PROBE);
        this.publisher = publisher;
        this.offload = offload;
        this.webConfig = webConfig;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RoutedRequest req) {
        boolean head = req.head();
        ClusterSnapshotSource source = publisher.source();
        switch (req.route()) {
            case LANDING:
                req.release();
                ScrapeEndpointConfig config = publisher.config();
                offload(ctx, head, () -> page(HTML, LandingPage.render(config, source.snapshot()), head));
                return;
            case DISCOVERY:
                String self = HttpServiceDiscovery.selfAddress(
                        req.header(HttpHeaderNames.HOST), ctx.channel().localAddress());
                boolean tls = webConfig.get().tls();
                req.release();
                offload(ctx, head, () -> page(JSON, HttpServiceDiscovery.render(source.snapshot(), self, tls), head));
                return;
            case PROBE:
                probe(ctx, req, source);
                return;
        }
    }

    private void probe(ChannelHandlerContext ctx, RoutedRequest req, ClusterSnapshotSource source) {
        boolean head = req.head();
        List<String> targets = req.query().parameters().get("target");
        ExpositionFormatWriter writer = publisher.writerFor(req.header(HttpHeaderNames.ACCEPT));
        ContentNegotiation.Coding coding = ContentNegotiation.coding(req.header(HttpHeaderNames.ACCEPT_ENCODING));
        boolean gzip = coding == ContentNegotiation.Coding.GZIP;
        req.release();
        if (writer == null || coding == ContentNegotiation.Coding.NONE) {
            MetricsHandler.notAcceptable(ctx, head);
            return;
        }
        if (targets == null || targets.size() != 1 || targets.get(0).isEmpty()) {
            HttpResponses.sendText(
                    ctx, HttpResponseStatus.BAD_REQUEST, "Exactly one target parameter is required\n", head, false);
            return;
        }
        String target = targets.get(0);
        offload(ctx, head, () -> {
            ClusterSnapshot cluster = source.snapshot();
            ByteBuf body = publisher.renderTarget(writer, cluster, target, gzip);
            if (body == null) {
                // Never dial an unknown name: it would receive the admin password.
                return HttpResponses.text(HttpResponseStatus.NOT_FOUND, "Unknown target\n", head);
            }
            return MetricsHandler.metricsResponse(body, writer.getContentType(), gzip, head);
        });
    }

    private static FullHttpResponse page(String contentType, String text, boolean head) {
        return HttpResponses.response(
                HttpResponseStatus.OK, contentType, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), head);
    }

    /** Builds the response on the offload executor and writes it on the channel's event loop. */
    private void offload(ChannelHandlerContext ctx, boolean head, Callable<FullHttpResponse> page) {
        Promise<FullHttpResponse> promise = ctx.executor().newPromise();
        promise.addListener((Future<FullHttpResponse> f) -> {
            if (!f.isSuccess()) {
                MetricsHandler.unavailable(ctx, head, f.cause());
            } else if (ctx.channel().isActive()) {
                ctx.writeAndFlush(f.getNow());
            } else {
                ReferenceCountUtil.release(f.getNow());
            }
        });
        try {
            offload.execute(() -> {
                try {
                    FullHttpResponse r = page.call();
                    if (!promise.trySuccess(r)) {
                        r.release();
                    }
                } catch (Throwable e) {
                    promise.tryFailure(e);
                }
            });
        } catch (RejectedExecutionException e) { // the publisher is closed
            promise.tryFailure(e);
        }
    }
}
