package io.nundb.exporter.http;

import io.netty.channel.SimpleChannelInboundHandler;
import io.nundb.exporter.http.RoutedRequest.Route;
import java.util.EnumSet;
import java.util.Set;

/**
 * A handler that answers the {@link RoutedRequest}s of some routes in {@link #channelRead0} and passes
 * every other message on untouched. The request is not released for the subclass: it releases it once
 * it has read what it needs.
 *
 * <p>Thread-safety: immutable.
 */
abstract class RouteHandler extends SimpleChannelInboundHandler<RoutedRequest> {
    private final Set<Route> routes;

    RouteHandler(Route first, Route... rest) {
        super(false);
        this.routes = EnumSet.of(first, rest);
    }

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof RoutedRequest req && routes.contains(req.route());
    }
}
