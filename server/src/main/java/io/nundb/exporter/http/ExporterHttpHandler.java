package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.nundb.exporter.exposition.ExpositionFormat;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes one HTTP/1.1 request: the telemetry path, {@code /}, {@code /-/healthy}, {@code /-/ready},
 * {@code /probe?target=NODE} (one node's series, 404 for unknown nodes, never dials) and
 * {@code /discovery} (Prometheus HTTP service discovery of the known nodes); other paths 404, other methods 405 with {@code Allow}, undecodable requests 400/414/431 and the
 * connection closed. Never sends a stack trace.
 *
 * <p>Metrics are served from {@link MetricsPublisher}'s cache with {@code retainedDuplicate()}; only a
 * cache miss or a {@code name[]} filter waits for the publisher, and while one request waits, later
 * pipelined requests on the same connection are queued so responses keep their order.
 *
 * <pre>{@code
 * p.addLast(new IdleStateHandler(0, 0, idleSeconds));
 * p.addLast(new HttpServerCodec(decoderConfig));
 * p.addLast(new HttpServerKeepAliveHandler());
 * p.addLast(new HttpObjectAggregator(maxRequestBody));
 * p.addLast(new ExporterHttpHandler(publisher));
 * }</pre>
 *
 * <p>With basic auth configured, every path but the health endpoints needs valid credentials (401 with
 * {@code WWW-Authenticate}, 429 when bcrypt verifications are rate-limited); a verification that needs
 * bcrypt is answered asynchronously and queues later pipelined requests like a render does.
 *
 * <p>Thread-safety: one instance per channel; all state is confined to the channel's event loop.
 */
public final class ExporterHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(ExporterHttpHandler.class.getName());
    private static final String VARY = "Accept, Accept-Encoding";
    private static final String ALLOW = "GET, HEAD";
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    private static final String NAME_PARAM = "name[]";
    static final String PROBE_PATH = "/probe";
    static final String DISCOVERY_PATH = "/discovery";

    private static final String WWW_AUTHENTICATE = "Basic realm=\"nundb-exporter\", charset=\"UTF-8\"";

    private final MetricsPublisher publisher;
    private final String telemetryPath;
    private final Supplier<WebConfig> webConfig;
    private final BasicAuthenticator authenticator;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>(2);
    private boolean waiting;
    private boolean checking;

    public ExporterHttpHandler(MetricsPublisher publisher) {
        this(publisher, () -> WebConfig.NONE, null);
    }

    /**
     * @param webConfig the current web configuration (basic auth users), read once per request
     * @param authenticator checks credentials when the configuration has users; may be {@code null} only
     *     if it never has
     */
    public ExporterHttpHandler(
            MetricsPublisher publisher, Supplier<WebConfig> webConfig, BasicAuthenticator authenticator) {
        super(FullHttpRequest.class, true);
        this.publisher = publisher;
        this.telemetryPath = publisher.config().telemetryPath();
        this.webConfig = webConfig;
        this.authenticator = authenticator;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (waiting) {
            queued.add(req.retain());
            return;
        }
        handle(ctx, req);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (!result.isSuccess()) {
            sendText(ctx, statusFor(result.cause()), "Bad request\n", false, true);
            return;
        }
        boolean head = HttpMethod.HEAD.equals(req.method());
        boolean get = HttpMethod.GET.equals(req.method());
        String path;
        QueryStringDecoder query;
        try {
            query = new QueryStringDecoder(req.uri());
            path = query.path();
        } catch (IllegalArgumentException e) {
            sendText(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request\n", head, true);
            return;
        }
        boolean known = path.equals(telemetryPath)
                || path.equals("/")
                || path.equals("/-/healthy")
                || path.equals("/-/ready")
                || path.equals(PROBE_PATH)
                || path.equals(DISCOVERY_PATH);
        if (!known) {
            sendText(ctx, HttpResponseStatus.NOT_FOUND, "Not found\n", head, false);
            return;
        }
        if (!get && !head) {
            FullHttpResponse r = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed\n", false);
            r.headers().set(HttpHeaderNames.ALLOW, ALLOW);
            ctx.writeAndFlush(r);
            return;
        }
        WebConfig web = webConfig.get();
        // Health endpoints stay open for kubelet probes and the healthcheck subcommand; they reveal nothing.
        if (web.basicAuth() && !path.equals("/-/healthy") && !path.equals("/-/ready")) {
            String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            waiting = true;
            checking = true;
            req.retain();
            authenticator.check(web, authorization, ctx.executor(), verdict -> {
                waiting = false;
                try {
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    if (verdict == BasicAuthenticator.Verdict.ALLOWED) {
                        route(ctx, req, path, query, head);
                    } else if (verdict == BasicAuthenticator.Verdict.RATE_LIMITED) {
                        FullHttpResponse r = textResponse(
                                HttpResponseStatus.TOO_MANY_REQUESTS, "Too many authentication attempts\n", head);
                        r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
                        ctx.writeAndFlush(r);
                    } else {
                        FullHttpResponse r = textResponse(HttpResponseStatus.UNAUTHORIZED, "Unauthorized\n", head);
                        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, WWW_AUTHENTICATE);
                        ctx.writeAndFlush(r);
                    }
                } finally {
                    req.release();
                    if (!checking && !waiting) {
                        resume(ctx); // answered asynchronously: continue with queued requests
                    }
                }
            });
            checking = false;
            return;
        }
        route(ctx, req, path, query, head);
    }

    private void route(
            ChannelHandlerContext ctx, FullHttpRequest req, String path, QueryStringDecoder query, boolean head) {
        if (path.equals(PROBE_PATH)) {
            probe(ctx, req, query, head);
            return;
        }
        if (path.equals(DISCOVERY_PATH)) {
            FullHttpResponse r = response(
                    HttpResponseStatus.OK,
                    "application/json; charset=utf-8",
                    Unpooled.copiedBuffer(
                            HttpServiceDiscovery.render(
                                    publisher.source().snapshot(),
                                    HttpServiceDiscovery.selfAddress(
                                            req.headers().get(HttpHeaderNames.HOST),
                                            ctx.channel().localAddress()),
                                    webConfig.get().tls()),
                            StandardCharsets.UTF_8),
                    head);
            ctx.writeAndFlush(r);
            return;
        }
        if (path.equals(telemetryPath)) {
            metrics(ctx, req, query, head);
        } else if (path.equals("/")) {
            FullHttpResponse r = response(
                    HttpResponseStatus.OK,
                    "text/html; charset=utf-8",
                    Unpooled.copiedBuffer(
                            LandingPage.render(
                                    publisher.config(), publisher.source().snapshot()),
                            StandardCharsets.UTF_8),
                    head);
            ctx.writeAndFlush(r);
        } else if (path.equals("/-/healthy")) {
            boolean ok = publisher.healthy();
            sendText(
                    ctx,
                    ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ok
                            ? "Healthy\n"
                            : "Unhealthy: the publisher has not rendered for 5 intervals, or a collector task failed"
                                    + " (see the log)\n",
                    head,
                    false);
        } else {
            boolean ok = publisher.ready();
            sendText(
                    ctx,
                    ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ok ? "Ready\n" : "Not ready: first collection in progress\n",
                    head,
                    false);
        }
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query, boolean head) {
        ExpositionFormatWriter writer = publisher.writerFor(req.headers().get(HttpHeaderNames.ACCEPT));
        boolean gzip = acceptsGzip(req.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
        List<String> names = query.parameters().get(NAME_PARAM);
        if (names != null && !names.isEmpty()) {
            publisher.renderFiltered(
                    writer,
                    MetricNameFilter.builder().nameMustBeEqualTo(names).build(),
                    gzip,
                    uncachedResponse(ctx, writer, gzip, head));
            return;
        }
        ExpositionFormat format = ExpositionFormat.of(writer);
        RenderedBody body = publisher.current(format);
        if (body != null && serve(ctx, body, gzip, head)) {
            return;
        }
        Promise<RenderedBody> promise = ctx.executor().newPromise();
        waiting = true;
        promise.addListener((Future<RenderedBody> f) -> {
            // A newer render may have replaced (and released) this body before the listener ran: then
            // serve the current one.
            if (!f.isSuccess() || !(serve(ctx, f.getNow(), gzip, head) || serveCurrent(ctx, format, gzip, head))) {
                unavailable(ctx, head, f.cause());
            }
            resume(ctx);
        });
        publisher.requestRender(format, promise);
    }

    /**
     * A promise for a body rendered for this request only (filtered by name or by target): when it
     * completes the response is written (or the body released if the client left) and queued requests
     * resume. Holds further pipelined requests until then.
     */
    private Promise<ByteBuf> uncachedResponse(
            ChannelHandlerContext ctx, ExpositionFormatWriter writer, boolean gzip, boolean head) {
        Promise<ByteBuf> promise = ctx.executor().newPromise();
        waiting = true;
        promise.addListener((Future<ByteBuf> f) -> {
            if (f.isSuccess()) {
                ByteBuf body = f.getNow();
                if (!ctx.channel().isActive()) {
                    body.release();
                } else {
                    ctx.writeAndFlush(metricsResponse(body, writer.getContentType(), gzip, head));
                }
            } else {
                unavailable(ctx, head, f.cause());
            }
            resume(ctx);
        });
        return promise;
    }

    /** {@code /probe?target=NAME}: one known node's series from the existing state; never dials. */
    private void probe(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query, boolean head) {
        List<String> targets = query.parameters().get("target");
        if (targets == null || targets.size() != 1 || targets.get(0).isEmpty()) {
            sendText(ctx, HttpResponseStatus.BAD_REQUEST, "Exactly one target parameter is required\n", head, false);
            return;
        }
        String target = targets.get(0);
        if (publisher.source().snapshot().node(target) == null) {
            // Never dial an unknown name: it would receive the admin password.
            sendText(ctx, HttpResponseStatus.NOT_FOUND, "Unknown target\n", head, false);
            return;
        }
        ExpositionFormatWriter writer = publisher.writerFor(req.headers().get(HttpHeaderNames.ACCEPT));
        boolean gzip = acceptsGzip(req.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
        publisher.renderTarget(writer, target, gzip, uncachedResponse(ctx, writer, gzip, head));
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

    private static FullHttpResponse metricsResponse(ByteBuf content, String contentType, boolean gzip, boolean head) {
        FullHttpResponse r = response(HttpResponseStatus.OK, contentType, content, head);
        r.headers().set(HttpHeaderNames.VARY, VARY);
        if (gzip) {
            r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        return r;
    }

    private void unavailable(ChannelHandlerContext ctx, boolean head, Throwable cause) {
        if (cause != null) {
            LOG.log(Level.FINE, "scrape not rendered: " + cause);
        }
        if (ctx.channel().isActive()) {
            sendText(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "Metrics not rendered yet, retry\n", head, false);
        }
    }

    private void resume(ChannelHandlerContext ctx) {
        waiting = false;
        FullHttpRequest next;
        while (!waiting && (next = queued.poll()) != null) {
            try {
                handle(ctx, next);
            } finally {
                next.release();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseQueued();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "HTTP connection error, closing: " + cause);
        ctx.close();
    }

    private static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private static void sendText(
            ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean head, boolean close) {
        FullHttpResponse r = textResponse(status, text, head);
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(r);
    }

    private static FullHttpResponse textResponse(HttpResponseStatus status, String text, boolean head) {
        return response(status, TEXT_PLAIN, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), head);
    }

    /** A full response; for HEAD the body is dropped and its length kept in Content-Length. */
    private static FullHttpResponse response(
            HttpResponseStatus status, String contentType, ByteBuf content, boolean head) {
        int length = content.readableBytes();
        ByteBuf body = content;
        if (head) {
            content.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return r;
    }

    /**
     * Whether an {@code Accept-Encoding} value accepts gzip (RFC 9110 §12.5.3): a {@code gzip} or
     * {@code *} coding without {@code q=0}. Allocation-free.
     */
    static boolean acceptsGzip(String header) {
        if (header == null) {
            return false;
        }
        int n = header.length();
        int i = 0;
        while (i < n) {
            int end = header.indexOf(',', i);
            if (end < 0) {
                end = n;
            }
            int semi = header.indexOf(';', i);
            int nameEnd = semi >= 0 && semi < end ? semi : end;
            int s = skipSpaces(header, i, nameEnd);
            int e = nameEnd;
            while (e > s && header.charAt(e - 1) == ' ') {
                e--;
            }
            boolean named = (e - s == 4 && header.regionMatches(true, s, "gzip", 0, 4))
                    || (e - s == 6 && header.regionMatches(true, s, "x-gzip", 0, 6))
                    || (e - s == 1 && header.charAt(s) == '*');
            if (named) {
                return !zeroQuality(header, nameEnd, end);
            }
            i = end + 1;
        }
        return false;
    }

    private static boolean zeroQuality(String h, int from, int to) {
        int q = h.indexOf("q=", from);
        if (q < 0 || q >= to) {
            return false;
        }
        for (int i = q + 2; i < to; i++) {
            char c = h.charAt(i);
            if (c != '0' && c != '.' && c != ' ') {
                return false;
            }
        }
        return true;
    }

    private static int skipSpaces(String h, int i, int end) {
        while (i < end && (h.charAt(i) == ' ' || h.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
