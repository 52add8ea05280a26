package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Requests and a manual executor for the handler tests on {@code EmbeddedChannel}. */
final class TestRequests {
    private TestRequests() {}

    static FullHttpRequest request(HttpMethod method, String uri, String... headers) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    static RoutedRequest routed(RoutedRequest.Route route, String uri, String... headers) {
        return new RoutedRequest(request(HttpMethod.GET, uri, headers), route, new QueryStringDecoder(uri), false);
    }

    static RoutedRequest routedHead(RoutedRequest.Route route, String uri) {
        return new RoutedRequest(request(HttpMethod.HEAD, uri), route, new QueryStringDecoder(uri), true);
    }

    /** The body as UTF-8; releases the response. */
    static String bodyOf(FullHttpResponse r) {
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    /** Runs tasks only when the test says so, on the test thread: stands in for the publisher thread. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        /** Runs the queued tasks; returns how many ran. */
        int runAll() {
            int n = 0;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                n++;
            }
            return n;
        }
    }
}
