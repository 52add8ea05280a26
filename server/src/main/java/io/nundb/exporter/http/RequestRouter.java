package io.nundb.exporter.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.nundb.exporter.http.RoutedRequest.Route;

/**
 * Turns each {@link FullHttpRequest} into a {@link RoutedRequest} for the endpoint handlers after it, or
 * answers it: an undecodable request 400 (414 for an overlong request line, 431 for huge headers) and
 * the connection closed, as is a path or query with a bad percent-escape; a path that is none of the telemetry path, {@code /}, {@code /-/healthy},
 * {@code /-/ready}, {@code /probe} and {@code /discovery} 404; a method other than GET or HEAD 405 with
 * {@code Allow}. These answers come before authentication: they reveal nothing.
 *
 * <pre>{@code
 * p.addLast(new HttpPipeliningHandler());
 * p.addLast(router); // a RoutedRequest for every request it does not answer
 * p.addLast(health);
 * }</pre>
 *
 * <p>Allocates the query decoder, the path and the {@link RoutedRequest}.
 *
 * <p>Thread-safety: immutable; {@link Sharable}.
 */
@Sharable
final class RequestRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String PROBE_PATH = "/probe";
    static final String DISCOVERY_PATH = "/discovery";
    private static final String ALLOW = "GET, HEAD";

    private final String telemetryPath;

    RequestRouter(String telemetryPath) {
        super(FullHttpRequest.class, false);
        this.telemetryPath = telemetryPath;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (!result.isSuccess()) {
            req.release();
            HttpResponses.sendText(ctx, statusFor(result.cause()), "Bad request\n", false, true);
            return;
        }
        boolean head = HttpMethod.HEAD.equals(req.method());
        QueryStringDecoder query;
        Route route;
        try {
            query = new QueryStringDecoder(req.uri());
            route = route(query.path());
            query.parameters(); // decoded (and cached) here: a bad escape in the query is a 400 too
        } catch (IllegalArgumentException e) {
            req.release();
            HttpResponses.sendText(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request\n", head, true);
            return;
        }
        if (route == null) {
            req.release();
            HttpResponses.sendText(ctx, HttpResponseStatus.NOT_FOUND, "Not found\n", head, false);
            return;
        }
        if (!head && !HttpMethod.GET.equals(req.method())) {
            req.release();
            FullHttpResponse r =
                    HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed\n", false);
            r.headers().set(HttpHeaderNames.ALLOW, ALLOW);
            ctx.writeAndFlush(r);
            return;
        }
        ctx.fireChannelRead(new RoutedRequest(req, route, query, head));
    }

    private Route route(String path) {
        if (path.equals(telemetryPath)) {
            return Route.METRICS;
        }
        switch (path) {
            case "/":
                return Route.LANDING;
            case "/-/healthy":
                return Route.HEALTHY;
            case "/-/ready":
                return Route.READY;
            case PROBE_PATH:
                return Route.PROBE;
            case DISCOVERY_PATH:
                return Route.DISCOVERY;
            default:
                return null;
        }
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
}
