package io.nundb.exporter.http;

import static io.nundb.exporter.http.TestRequests.bodyOf;
import static io.nundb.exporter.http.TestRequests.routed;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nundb.exporter.http.RoutedRequest.Route;
import io.nundb.exporter.http.TestRequests.ManualExecutor;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterPagesHandlerTest {
    /** Counts snapshots, to show none is taken on the event loop. */
    static final class CountingSource implements ClusterSnapshotSource {
        final AtomicInteger snapshots = new AtomicInteger();
        final ClusterSnapshot cluster = FakeSnapshotSource.cluster(
                FakeSnapshotSource.up("n1:3017", Role.PRIMARY), FakeSnapshotSource.down("n<2>:3017"));

        @Override
        public ClusterSnapshot snapshot() {
            snapshots.incrementAndGet();
            return cluster;
        }

        @Override
        public boolean firstCollectionComplete() {
            return true;
        }
    }

    final CountingSource source = new CountingSource();
    final MetricsPublisher publisher = new MetricsPublisher(
            ScrapeEndpointConfig.of(
                    "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", true, null),
            source,
            new PrometheusRegistry(),
            System::nanoTime);
    final ManualExecutor publisherThread = new ManualExecutor();
    final EmbeddedChannel channel =
            new EmbeddedChannel(new ClusterPagesHandler(publisher, publisherThread, () -> WebConfig.NONE));

    @AfterEach
    void close() {
        publisher.close(0);
    }

    /** Sends the request, checks nothing was built on the loop, then lets the publisher thread run. */
    FullHttpResponse page(RoutedRequest request) {
        channel.writeInbound(request);
        assertThat(request.refCnt()).isZero();
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(source.snapshots).hasValue(0);

        assertThat(publisherThread.runAll()).isEqualTo(1);
        channel.runPendingTasks();
        assertThat(source.snapshots).hasValue(1);
        return channel.readOutbound();
    }

    @Test
    void theLandingPageIsBuiltOnThePublisherThreadWithEscapedNames() {
        FullHttpResponse r = page(routed(Route.LANDING, "/"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(bodyOf(r))
                .contains("Version 9.9.9 (rev), mode <b>demo</b>")
                .contains("<td>n&lt;2&gt;:3017</td><td>-</td><td class=\"bad\">down</td><td>refused</td>");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void discoveryPointsAtTheHostTheClientUsed() {
        FullHttpResponse r = page(routed(Route.DISCOVERY, "/discovery", "Host", "exporter:9898"));

        assertThat(r.headers().get("content-type")).isEqualTo("application/json; charset=utf-8");
        assertThat(bodyOf(r))
                .startsWith("[{\"targets\":[\"exporter:9898\"],\"labels\":{\"__meta_nundb_node\":\"n1:3017\","
                        + "\"__meta_nundb_role\":\"primary\",\"__meta_nundb_up\":\"1\",\"__metrics_path__\":\"/probe\","
                        + "\"__param_target\":\"n1:3017\",\"__scheme__\":\"http\"");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void probeRendersOneKnownNodeGzippedWhenAsked() throws Exception {
        FullHttpResponse r = page(routed(Route.PROBE, "/probe?target=n1:3017", "Accept-Encoding", "gzip"));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(r.headers().get("vary")).isEqualTo("Accept, Accept-Encoding");
        byte[] gz = TestRequests.bytes(r.content());
        r.release();
        String body =
                new String(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(body).contains("nundb_up{node=\"n1:3017\"} 1.0").doesNotContain("n<2>");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void probeOfAnUnknownNodeIs404AndWithoutATargetIs400OnTheLoop() {
        FullHttpResponse unknown = page(routed(Route.PROBE, "/probe?target=evil:3014"));
        assertThat(unknown.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(bodyOf(unknown)).isEqualTo("Unknown target\n");

        channel.writeInbound(routed(Route.PROBE, "/probe?target=a&target=b"));
        FullHttpResponse twoTargets = channel.readOutbound();
        assertThat(twoTargets.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        twoTargets.release();
        assertThat(publisherThread.tasks).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aClientThatLeftGetsNothingAndLeaksNothing() {
        channel.writeInbound(routed(Route.LANDING, "/"));
        channel.close();

        publisherThread.runAll();
        channel.runPendingTasks();

        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aClosedPublisherIsA503() {
        EmbeddedChannel closed = new EmbeddedChannel(new ClusterPagesHandler(
                publisher,
                task -> {
                    throw new RejectedExecutionException("closed");
                },
                () -> WebConfig.NONE));

        closed.writeInbound(routed(Route.LANDING, "/"));

        FullHttpResponse r = closed.readOutbound();
        assertThat(r.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        r.release();
        assertThat(closed.finishAndReleaseAll()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
