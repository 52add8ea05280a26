package io.nundb.exporter.http;

import static io.nundb.exporter.http.TestRequests.bodyOf;
import static io.nundb.exporter.http.TestRequests.bytes;
import static io.nundb.exporter.http.TestRequests.routed;
import static io.nundb.exporter.http.TestRequests.routedHead;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.nundb.exporter.exposition.ExpositionFormat;
import io.nundb.exporter.http.RoutedRequest.Route;
import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cached path on the test thread; renders on a miss and {@code name[]} filters complete on the
 * publisher thread and are covered over TCP by {@link ExporterHttpServerTest}.
 */
class MetricsHandlerTest {
    final FakeSnapshotSource source = new FakeSnapshotSource();
    final MetricsPublisher publisher = new MetricsPublisher(
            ScrapeEndpointConfig.of(
                    "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", false, null),
            source,
            new PrometheusRegistry(),
            System::nanoTime);
    final EmbeddedChannel channel = new EmbeddedChannel(new MetricsHandler(publisher));

    @AfterEach
    void close() {
        publisher.close(0);
    }

    RenderedBody render(ExpositionFormat format) throws Exception {
        source.snapshot = FakeSnapshotSource.cluster(FakeSnapshotSource.up("n1:3017", Role.PRIMARY));
        Promise<RenderedBody> rendered = ImmediateEventExecutor.INSTANCE.newPromise();
        publisher.requestRender(format, rendered);
        return rendered.get(30, TimeUnit.SECONDS);
    }

    static byte[] bodyBytes(RenderedBody body, boolean gzip) {
        ByteBuf b = body.retainedBody(gzip);
        try {
            return bytes(b);
        } finally {
            b.release();
        }
    }

    FullHttpResponse scrape(RoutedRequest request) {
        channel.writeInbound(request);
        assertThat(request.refCnt()).isZero();
        return channel.readOutbound();
    }

    @Test
    void servesTheCachedBodyOfTheNegotiatedFormatWithVary() throws Exception {
        RenderedBody body = render(ExpositionFormat.OPENMETRICS);

        FullHttpResponse r = scrape(routed(
                Route.METRICS, "/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-type")).isEqualTo(body.contentType());
        assertThat(r.headers().get("vary")).isEqualTo("Accept, Accept-Encoding");
        assertThat(r.headers().get("content-encoding")).isNull();
        assertThat(bytes(r.content())).isEqualTo(bodyBytes(body, false));
        r.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void servesTheCachedGzipBodyWhenGzipIsAccepted() throws Exception {
        RenderedBody body = render(ExpositionFormat.TEXT);

        FullHttpResponse r = scrape(routed(Route.METRICS, "/metrics", "Accept-Encoding", "br, gzip;q=0.5"));

        assertThat(r.headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(r.headers().getInt("content-length")).isEqualTo(body.length(true));
        assertThat(bytes(r.content())).isEqualTo(bodyBytes(body, true));
        r.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headKeepsTheLengthOfTheCachedBody() throws Exception {
        RenderedBody body = render(ExpositionFormat.TEXT);

        FullHttpResponse r = scrape(routedHead(Route.METRICS, "/metrics"));

        assertThat(r.headers().getInt("content-length")).isEqualTo(body.length(false));
        assertThat(r.content().readableBytes()).isZero();
        r.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void withoutABodyAndWithoutAPublisherTheAnswerIs503() {
        publisher.close(0);

        FullHttpResponse r = scrape(routed(Route.METRICS, "/metrics"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(bodyOf(r)).isEqualTo("Metrics not rendered yet, retry\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void passesOtherRoutesOn() {
        RoutedRequest landing = routed(Route.LANDING, "/");
        channel.writeInbound(landing);

        assertThat(channel.<Object>readInbound()).isSameAs(landing);
        landing.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void a406AnswersARequestThatRefusesEveryCodingOrEveryFormat() throws Exception {
        render(ExpositionFormat.TEXT);
        String[][] refusals = {
            {"Accept-Encoding", "identity;q=0"},
            {"Accept-Encoding", "*;q=0"},
            {"Accept-Encoding", "gzip;q=0, identity;q=0"},
            {"Accept", "text/plain;q=0"},
            {"Accept", "*/*;q=0"},
            {"Accept", "text/plain;q=0, application/openmetrics-text;q=0"},
        };
        for (String[] h : refusals) {
            FullHttpResponse r = scrape(routed(Route.METRICS, "/metrics", h[0], h[1]));
            assertThat(r.status()).as(h[0] + ": " + h[1]).isEqualTo(HttpResponseStatus.NOT_ACCEPTABLE);
            assertThat(r.headers().get("vary")).isEqualTo("Accept, Accept-Encoding");
            r.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFormatRefusedWithQZeroIsNotServed() throws Exception {
        RenderedBody text = render(ExpositionFormat.TEXT);

        FullHttpResponse r = scrape(
                routed(Route.METRICS, "/metrics", "Accept", "application/openmetrics-text;q=0, text/plain;q=0.5"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-type")).isEqualTo(text.contentType());
        r.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void gzipRefusedWithQZeroIsNotServedEvenWhenAWildcardAcceptsAnything() throws Exception {
        render(ExpositionFormat.TEXT);

        FullHttpResponse r = scrape(routed(Route.METRICS, "/metrics", "Accept-Encoding", "*, gzip;q=0"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-encoding")).isNull();
        r.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
