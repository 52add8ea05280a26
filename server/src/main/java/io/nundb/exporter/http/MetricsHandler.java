package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.nundb.exporter.exposition.ExpositionFormat;
import io.nundb.exporter.http.RoutedRequest.Route;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves the telemetry path: negotiates the format ({@code Accept}) and the encoding
 * ({@code Accept-Encoding}, {@link ContentNegotiation}; 406 if the request refuses every one) and writes a {@code retainedDuplicate()} of {@link MetricsPublisher}'s cached
 * body, with {@code Vary}. A format with no fresh body asks the publisher for one single-flight render
 * and is answered when it completes (503 if it fails); a {@code name[]} filter is rendered for the
 * request alone. Both wait on the publisher thread, never on the event loop; {@link HttpPipeliningHandler}
 * holds later requests meanwhile. Passes every other request on.
 *
 * <pre>{@code
 * p.addLast(basicAuth);
 * p.addLast(metrics);
 * p.addLast(pages);
 * }</pre>
 *
 * <p>A cached scrape allocates the duplicate and the response with its headers, never a copy of the body
 * (CachedScrapeBenchmark).
 *
 * <p>Thread-safety: immutable; {@link Sharable}.
 */
@Sharable
final class MetricsHandler extends RouteHandler {
    private static final Logger LOG = Logger.getLogger(MetricsHandler.class.getName());
    private static final String VARY = "Accept, Accept-Encoding";
    private static final String NAME_PARAM = "name[]";

    private final MetricsPublisher publisher;

    MetricsHandler(MetricsPublisher publisher) {
        super(Route.METRICS);
        this.publisher = publisher;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RoutedRequest req) {
        ExpositionFormatWriter writer = publisher.writerFor(req.header(HttpHeaderNames.ACCEPT));
        ContentNegotiation.Coding coding = ContentNegotiation.coding(req.header(HttpHeaderNames.ACCEPT_ENCODING));
        boolean gzip = coding == ContentNegotiation.Coding.GZIP;
        boolean head = req.head();
        List<String> names = req.query().parameters().get(NAME_PARAM);
        req.release();
        if (writer == null || coding == ContentNegotiation.Coding.NONE) {
            notAcceptable(ctx, head);
            return;
        }
        if (names != null && !names.isEmpty()) {
            publisher.renderFiltered(
                    writer,
                    MetricNameFilter.builder().nameMustBeEqualTo(names).build(),
                    gzip,
                    uncachedResponse(ctx, writer.getContentType(), gzip, head));
            return;
        }
        ExpositionFormat format = ExpositionFormat.of(writer);
        RenderedBody body = publisher.current(format);
        if (body != null && serve(ctx, body, gzip, head)) {
            return;
        }
        Promise<RenderedBody> promise = ctx.executor().newPromise();
        promise.addListener((Future<RenderedBody> f) -> {
            // A newer render may have replaced (and released) this body before the listener ran: then
            // serve the current one.
            if (!f.isSuccess() || !(serve(ctx, f.getNow(), gzip, head) || serveCurrent(ctx, format, gzip, head))) {
                unavailable(ctx, head, f.cause());
            }
        });
        publisher.requestRender(format, promise);
    }

    /**
     * A promise for a body rendered for one request only (filtered by name), completed on the publisher
     * thread: when it completes on the event loop the response is written, or the body
     * released if the client left.
     */
    private static Promise<ByteBuf> uncachedResponse(
            ChannelHandlerContext ctx, String contentType, boolean gzip, boolean head) {
        Promise<ByteBuf> promise = ctx.executor().newPromise();
        promise.addListener((Future<ByteBuf> f) -> {
            if (f.isSuccess()) {
                ByteBuf body = f.getNow();
                if (!ctx.channel().isActive()) {
                    body.release();
                } else {
                    ctx.writeAndFlush(metricsResponse(body, contentType, gzip, head));
                }
            } else {
                unavailable(ctx, head, f.cause());
            }
        });
        return promise;
    }

    private boolean serveCurrent(ChannelHandlerContext ctx, ExpositionFormat format, boolean gzip, boolean head) {
        RenderedBody current = publisher.current(format);
        return current != null && serve(ctx, current, gzip, head);
    }

    /** Writes a retained duplicate of the cached body; false if it was released meanwhile. */
    private static boolean serve(ChannelHandlerContext ctx, RenderedBody body, boolean gzip, boolean head) {
        ByteBuf content = body.retainedBody(gzip);
        if (content == null) {
            return false;
        }
        ctx.writeAndFlush(metricsResponse(content, body.contentType(), gzip, head));
        return true;
    }

    /** A 200 of an exposition body, with {@code Vary} and, when gzipped, {@code Content-Encoding}. */
    static FullHttpResponse metricsResponse(ByteBuf content, String contentType, boolean gzip, boolean head) {
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, contentType, content, head);
        r.headers().set(HttpHeaderNames.VARY, VARY);
        if (gzip) {
            r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        return r;
    }

    /** 503 for a body that could not be rendered (the publisher failed or is closed). */
    static void unavailable(ChannelHandlerContext ctx, boolean head, Throwable cause) {
        if (cause != null) {
            LOG.log(Level.FINE, "scrape not rendered: " + cause);
        }
        if (ctx.channel().isActive()) {
            HttpResponses.sendText(
                    ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "Metrics not rendered yet, retry\n", head, false);
        }
    }

    /** 406 when the request refuses every format or every coding the exporter serves (RFC 9110 §15.5.7). */
    static void notAcceptable(ChannelHandlerContext ctx, boolean head) {
        FullHttpResponse r = HttpResponses.text(
                HttpResponseStatus.NOT_ACCEPTABLE,
                "Not acceptable: text/plain, application/openmetrics-text or protobuf, identity or gzip\n",
                head);
        r.headers().set(HttpHeaderNames.VARY, VARY);
        ctx.writeAndFlush(r);
    }
}
