package io.nundb.exporter.http;

import static io.nundb.exporter.http.TestRequests.bodyOf;
import static io.nundb.exporter.http.TestRequests.routed;
import static io.nundb.exporter.http.TestRequests.routedHead;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nundb.exporter.http.RoutedRequest.Route;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthHandlerTest {
    final AtomicBoolean healthy = new AtomicBoolean(true);
    final AtomicBoolean ready = new AtomicBoolean(false);
    final EmbeddedChannel channel = new EmbeddedChannel(new HealthHandler(healthy::get, ready::get));

    FullHttpResponse ask(RoutedRequest request) {
        channel.writeInbound(request);
        assertThat(request.refCnt()).isZero();
        return channel.readOutbound();
    }

    @Test
    void answersFromTheSuppliersEveryTime() {
        FullHttpResponse ok = ask(routed(Route.HEALTHY, "/-/healthy"));
        assertThat(ok.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(ok.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(bodyOf(ok)).isEqualTo("Healthy\n");

        FullHttpResponse notReady = ask(routed(Route.READY, "/-/ready"));
        assertThat(notReady.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(bodyOf(notReady)).isEqualTo("Not ready: first collection in progress\n");

        healthy.set(false);
        ready.set(true);
        FullHttpResponse unhealthy = ask(routed(Route.HEALTHY, "/-/healthy"));
        assertThat(unhealthy.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(bodyOf(unhealthy))
                .isEqualTo(
                        "Unhealthy: the publisher has not rendered for 5 intervals, or a collector task failed (see the log)\n");
        assertThat(bodyOf(ask(routed(Route.READY, "/-/ready")))).isEqualTo("Ready\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void sharesOneConstantBodyWhoseHeadersEachResponseMayChange() {
        FullHttpResponse first = ask(routed(Route.HEALTHY, "/-/healthy"));
        first.headers().set("x-added-downstream", "1");
        first.content().skipBytes(3); // what a write does to the duplicate
        FullHttpResponse second = ask(routed(Route.HEALTHY, "/-/healthy"));

        assertThat(second.headers().contains("x-added-downstream")).isFalse();
        assertThat(bodyOf(second)).isEqualTo("Healthy\n");
        assertThat(second.content().unwrap()).isNotNull(); // a duplicate of the constant, not a copy
        first.release();
        first.release(); // over-released by a buggy writer: the constant survives
        assertThat(bodyOf(ask(routed(Route.HEALTHY, "/-/healthy")))).isEqualTo("Healthy\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headKeepsTheLengthAndDropsTheBody() {
        FullHttpResponse head = ask(routedHead(Route.HEALTHY, "/-/healthy"));

        assertThat(head.headers().getInt("content-length")).isEqualTo("Healthy\n".length());
        assertThat(head.content().readableBytes()).isZero();
        head.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void passesOtherRoutesOn() {
        RoutedRequest metrics = routed(Route.METRICS, "/metrics");
        channel.writeInbound(metrics);

        assertThat(channel.<Object>readInbound()).isSameAs(metrics);
        assertThat(channel.<Object>readOutbound()).isNull();
        metrics.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
