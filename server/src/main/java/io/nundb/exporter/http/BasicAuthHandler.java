package io.nundb.exporter.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.util.function.Supplier;

/**
 * HTTP basic auth for every endpoint after it, when the current web configuration has users: a request
 * with valid credentials is passed on, one without 401 with {@code WWW-Authenticate}, and one whose
 * verification the {@link BasicAuthenticator} cannot even queue 429 with {@code Retry-After: 1}. A check
 * that needs bcrypt is answered on the authenticator's thread and continues on the channel's event loop;
 * {@link HttpPipeliningHandler} holds later requests meanwhile. Once a connection failed a check, its
 * later checks wait behind those of other connections (a channel attribute), and a check whose
 * connection closed is dropped unhashed. Without users every request passes.
 *
 * <pre>{@code
 * p.addLast(health); // the health endpoints stay open
 * p.addLast(basicAuth);
 * p.addLast(metrics);
 * }</pre>
 *
 * <p>Allocates nothing without users; with users, what the check allocates (an HMAC, a callback).
 *
 * <p>Thread-safety: immutable; {@link Sharable}. The web configuration is read once per request; the
 * per-connection failure mark is a channel attribute, written on the channel's event loop.
 */
@Sharable
final class BasicAuthHandler extends ChannelInboundHandlerAdapter {
    static final String WWW_AUTHENTICATE = "Basic realm=\"nundb-exporter\", charset=\"UTF-8\"";
    /** Set on a connection once one of its checks was denied. */
    static final AttributeKey<Boolean> FAILED = AttributeKey.valueOf(BasicAuthHandler.class, "failed");

    private final Supplier<WebConfig> webConfig;
    private final BasicAuthenticator authenticator;

    /**
     * @param authenticator checks credentials when the configuration has users; may be {@code null} only
     *     if it never has
     */
    BasicAuthHandler(Supplier<WebConfig> webConfig, BasicAuthenticator authenticator) {
        this.webConfig = webConfig;
        this.authenticator = authenticator;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        WebConfig web = webConfig.get();
        if (!web.basicAuth()
                || !(msg instanceof RoutedRequest)
                || ((RoutedRequest) msg).route().open()) {
            ctx.fireChannelRead(msg);
            return;
        }
        RoutedRequest req = (RoutedRequest) msg;
        boolean suspect = ctx.channel().hasAttr(FAILED);
        String authorization = req.header(HttpHeaderNames.AUTHORIZATION);
        authenticator.check(web, authorization, suspect, ctx.channel()::isActive, ctx.executor(), verdict -> {
            if (verdict == BasicAuthenticator.Verdict.ALLOWED && ctx.channel().isActive()) {
                ctx.fireChannelRead(req);
                return;
            }
            boolean head = req.head();
            req.release();
            if (!ctx.channel().isActive()) {
                return;
            }
            FullHttpResponse r;
            if (verdict == BasicAuthenticator.Verdict.RATE_LIMITED) {
                r = HttpResponses.text(
                        HttpResponseStatus.TOO_MANY_REQUESTS, "Too many authentication attempts\n", head);
                r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            } else {
                if (authorization != null) {
                    ctx.channel().attr(FAILED).set(Boolean.TRUE);
                }
                r = HttpResponses.text(HttpResponseStatus.UNAUTHORIZED, "Unauthorized\n", head);
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, WWW_AUTHENTICATE);
            }
            ctx.writeAndFlush(r);
        });
    }
}
