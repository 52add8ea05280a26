package io.nundb.exporter.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCounted;

/**
 * A request that {@link RequestRouter} accepted: its endpoint, its decoded query and whether it is a
 * HEAD (else a GET). The message the endpoint handlers read; it owns the request's reference (releasing
 * it releases the request).
 *
 * <p>Thread-safety: not thread-safe; handed along one channel's pipeline.
 */
final class RoutedRequest implements ReferenceCounted {
    /** The endpoints; {@link #open} ones are served without credentials. */
    enum Route {
        METRICS(false),
        LANDING(false),
        PROBE(false),
        DISCOVERY(false),
        HEALTHY(true),
        READY(true);

        private final boolean open;

        Route(boolean open) {
            this.open = open;
        }

        /** Served without credentials: the health endpoints, for kubelet probes; they reveal nothing. */
        boolean open() {
            return open;
        }
    }

    private final FullHttpRequest request;
    private final Route route;
    private final QueryStringDecoder query;
    private final boolean head;

    RoutedRequest(FullHttpRequest request, Route route, QueryStringDecoder query, boolean head) {
        this.request = request;
        this.route = route;
        this.query = query;
        this.head = head;
    }

    FullHttpRequest request() {
        return request;
    }

    Route route() {
        return route;
    }

    QueryStringDecoder query() {
        return query;
    }

    /** A HEAD request: answer with the headers of the GET response and no body. */
    boolean head() {
        return head;
    }

    /** A request header, or {@code null}. */
    String header(CharSequence name) {
        return request.headers().get(name);
    }

    @Override
    public int refCnt() {
        return request.refCnt();
    }

    @Override
    public RoutedRequest retain() {
        request.retain();
        return this;
    }

    @Override
    public RoutedRequest retain(int increment) {
        request.retain(increment);
        return this;
    }

    @Override
    public RoutedRequest touch() {
        request.touch();
        return this;
    }

    @Override
    public RoutedRequest touch(Object hint) {
        request.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return request.release();
    }

    @Override
    public boolean release(int decrement) {
        return request.release(decrement);
    }
}
