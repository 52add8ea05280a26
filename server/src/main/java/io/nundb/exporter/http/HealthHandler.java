package io.nundb.exporter.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nundb.exporter.http.RoutedRequest.Route;
import java.util.function.BooleanSupplier;

/**
 * Answers {@code /-/healthy} (200 while the publisher renders, 503 once it has not for 5 intervals) and
 * {@code /-/ready} (200 after the first collection, 503 before) from responses built once and sent with
 * {@code retainedDuplicate()}; passes every other request on. It sits before {@link BasicAuthHandler}:
 * the health endpoints stay open for kubelet probes and the {@code healthcheck} subcommand, and reveal
 * nothing.
 *
 * <pre>{@code
 * p.addLast(router);
 * p.addLast(health); // before the basic auth handler
 * p.addLast(basicAuth);
 * }</pre>
 *
 * <p>Allocates one duplicate response (its headers copied) per answer; the bodies are never copied.
 *
 * <p>Thread-safety: immutable apart from the two suppliers, which must be safe from any event loop;
 * {@link Sharable}.
 */
@Sharable
final class HealthHandler extends RouteHandler {
    // Indexed [route: 0 healthy, 1 ready][ok: 0 no, 1 yes][head: 0 GET, 1 HEAD].
    private static final FullHttpResponse[][][] RESPONSES = {
        {
            both(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "Unhealthy: the publisher has not rendered for 5 intervals, or a collector task failed (see the log)\n"),
            both(HttpResponseStatus.OK, "Healthy\n")
        },
        {
            both(HttpResponseStatus.SERVICE_UNAVAILABLE, "Not ready: first collection in progress\n"),
            both(HttpResponseStatus.OK, "Ready\n")
        }
    };

    private final BooleanSupplier healthy;
    private final BooleanSupplier ready;

    /**
     * @param healthy whether the exporter is healthy ({@link MetricsPublisher#healthy})
     * @param ready whether it is ready ({@link MetricsPublisher#ready})
     */
    HealthHandler(BooleanSupplier healthy, BooleanSupplier ready) {
        super(Route.HEALTHY, Route.READY);
        this.healthy = healthy;
        this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RoutedRequest req) {
        boolean head = req.head();
        boolean isHealthy = req.route() == Route.HEALTHY;
        req.release();
        boolean ok = isHealthy ? healthy.getAsBoolean() : ready.getAsBoolean();
        ctx.writeAndFlush(RESPONSES[isHealthy ? 0 : 1][ok ? 1 : 0][head ? 1 : 0].retainedDuplicate());
    }

    private static FullHttpResponse[] both(HttpResponseStatus status, String text) {
        return new FullHttpResponse[] {
            HttpResponses.constant(status, text, false), HttpResponses.constant(status, text, true)
        };
    }
}
