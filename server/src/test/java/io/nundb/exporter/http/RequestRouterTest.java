package io.nundb.exporter.http;

import static io.nundb.exporter.http.TestRequests.bodyOf;
import static io.nundb.exporter.http.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.nundb.exporter.http.RoutedRequest.Route;
import org.junit.jupiter.api.Test;

class RequestRouterTest {
    final EmbeddedChannel channel = new EmbeddedChannel(new RequestRouter("/custom-metrics"));

    RoutedRequest route(HttpMethod method, String uri) {
        channel.writeInbound(request(method, uri));
        return channel.readInbound();
    }

    FullHttpResponse answer(FullHttpRequest request) {
        channel.writeInbound(request);
        assertThat(request.refCnt()).isZero();
        assertThat(channel.<Object>readInbound()).isNull();
        return channel.readOutbound();
    }

    @Test
    void passesKnownPathsOnAsRoutedRequestsWithTheirQuery() {
        RoutedRequest metrics = route(HttpMethod.GET, "/custom-metrics?name[]=nundb_up");
        assertThat(metrics.route()).isEqualTo(Route.METRICS);
        assertThat(metrics.head()).isFalse();
        assertThat(metrics.query().parameters().get("name[]")).containsExactly("nundb_up");
        metrics.release();
        assertThat(metrics.refCnt()).isZero();

        RoutedRequest landing = route(HttpMethod.HEAD, "/");
        assertThat(landing.route()).isEqualTo(Route.LANDING);
        assertThat(landing.head()).isTrue();
        landing.release();

        for (String[] known : new String[][] {
            {"/-/healthy", "HEALTHY"}, {"/-/ready", "READY"}, {"/probe?target=a", "PROBE"}, {"/discovery", "DISCOVERY"}
        }) {
            RoutedRequest r = route(HttpMethod.GET, known[0]);
            assertThat(r.route()).isEqualTo(Route.valueOf(known[1]));
            r.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unknownPathsAre404WhateverTheMethodAndKnownOnesAre405ForOtherMethods() {
        FullHttpResponse notFound = answer(request(HttpMethod.POST, "/metrics"));
        assertThat(notFound.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(bodyOf(notFound)).isEqualTo("Not found\n");

        FullHttpResponse notAllowed = answer(request(HttpMethod.DELETE, "/custom-metrics"));
        assertThat(notAllowed.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(notAllowed.headers().get("allow")).isEqualTo("GET, HEAD");
        assertThat(notAllowed.headers().get("connection")).isNull();
        notAllowed.release();

        FullHttpResponse headNotFound = answer(request(HttpMethod.HEAD, "/x"));
        assertThat(headNotFound.content().readableBytes()).isZero();
        assertThat(headNotFound.headers().getInt("content-length")).isEqualTo("Not found\n".length());
        headNotFound.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void undecodableRequestsAreAnsweredAndTheConnectionClosed() {
        assertThat(failed(new IllegalArgumentException("bad"))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(failed(new TooLongHttpLineException("long"))).isEqualTo(HttpResponseStatus.REQUEST_URI_TOO_LONG);
        assertThat(failed(new TooLongHttpHeaderException("huge")))
                .isEqualTo(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);

        FullHttpResponse badUri = answer(request(HttpMethod.GET, "/%zz"));
        assertThat(badUri.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(badUri.headers().get("connection")).isEqualTo("close");
        badUri.release();
        for (String uri : new String[] {"/metrics?x=%", "/metrics?%zz=1", "/probe?target=%E"}) {
            FullHttpResponse badQuery = answer(request(HttpMethod.GET, uri));
            assertThat(badQuery.status()).as(uri).isEqualTo(HttpResponseStatus.BAD_REQUEST);
            assertThat(badQuery.headers().get("connection")).isEqualTo("close");
            badQuery.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private HttpResponseStatus failed(Exception cause) {
        FullHttpRequest r = request(HttpMethod.GET, "/bad");
        r.setDecoderResult(DecoderResult.failure(cause));
        FullHttpResponse response = answer(r);
        assertThat(response.headers().get("connection")).isEqualTo("close");
        assertThat(bodyOf(response)).isEqualTo("Bad request\n");
        return response.status();
    }
}
