package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExporterHttpServerTest {
    static final String PROTOBUF =
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
    static final Duration HOUR = Duration.ofHours(1);

    final FakeSnapshotSource source = new FakeSnapshotSource();
    final AtomicLong clockOffset = new AtomicLong();
    final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    MetricsPublisher publisher;
    ExporterHttpServer server;

    void start(Duration pollInterval, String compatNode) throws InterruptedException {
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        ScrapeEndpointConfig config = ScrapeEndpointConfig.of(
                "127.0.0.1", 0, "/metrics", pollInterval, Duration.ZERO, "9.9.9", "rev", false, compatNode);
        publisher = new MetricsPublisher(config, source, registry, () -> System.nanoTime() + clockOffset.get());
        publisher.start();
        server = ExporterHttpServer.start(publisher, 1);
        await().until(publisher::healthy);
    }

    void start() throws InterruptedException {
        source.snapshot = FakeSnapshotSource.cluster(
                FakeSnapshotSource.up("n1:3017", Role.PRIMARY), FakeSnapshotSource.up("n<2>:3017", Role.SECONDARY));
        start(HOUR, null);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close(500);
        }
        if (publisher != null) {
            publisher.close(500);
        }
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }

    HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static double renders(String body, String format, String encoding) {
        String prefix = "nundb_exporter_renders_total{encoding=\"" + encoding + "\",format=\"" + format + "\"} ";
        return Arrays.stream(body.split("\n"))
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void servesPrometheusTextByDefaultWithVary() throws Exception {
        start();

        HttpResponse<byte[]> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.headers().firstValue("vary")).hasValue("Accept, Accept-Encoding");
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(text(r))
                .contains("nundb_up{node=\"n1:3017\"} 1.0\n")
                .contains("nundb_node_role{node=\"n<2>:3017\",role=\"secondary\"} 1.0\n")
                .contains("nundb_exporter_build_info{mode=\"live\",revision=\"rev\",version=\"9.9.9\"} 1.0\n")
                .contains("nundb_exporter_netty_direct_memory_bytes ")
                .contains("jvm_memory_used_bytes{")
                .contains("process_cpu_seconds_total ")
                .doesNotContain("nun_db_");
    }

    @Test
    void negotiatesOpenMetrics() throws Exception {
        start();

        HttpResponse<byte[]> r =
                get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(text(r)).contains("# TYPE nundb_up gauge\n").endsWith("# EOF\n");
    }

    @Test
    void negotiatesDelimitedProtobuf() throws Exception {
        start();

        HttpResponse<byte[]> r = get("/metrics", "Accept", PROTOBUF);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(ct -> assertThat(ct)
                        .startsWith("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily"));
        List<String> names = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(r.body())) {
            Metrics.MetricFamily f;
            while ((f = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                names.add(f.getName());
                if (f.getName().equals("nundb_up")) {
                    assertThat(f.getMetricCount()).isEqualTo(2);
                    assertThat(f.getMetric(0).getGauge().getValue()).isEqualTo(1.0);
                }
            }
        }
        assertThat(names).contains("nundb_up", "nundb_node_role", "nundb_exporter_renders_total");
    }

    @Test
    void gzipBodyDecompressesToTheIdentityBodyOfTheSameRender() throws Exception {
        start();

        HttpResponse<byte[]> plain = get("/metrics");
        HttpResponse<byte[]> gz = get("/metrics", "Accept-Encoding", "br;q=1.0, gzip;q=0.8");
        HttpResponse<byte[]> refused = get("/metrics", "Accept-Encoding", "gzip;q=0, identity");

        assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gz.body().length).isLessThan(plain.body().length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(refused.headers().firstValue("content-encoding")).isEmpty();
        assertThat(refused.body()).isEqualTo(plain.body());
    }

    @Test
    void manyScrapesBetweenTwoRendersShareOneBodyAndDoNotRender() throws Exception {
        start();
        byte[] first = get("/metrics").body();

        for (int i = 0; i < 50; i++) {
            assertThat(get("/metrics").body()).isEqualTo(first);
            get("/metrics", "Accept-Encoding", "gzip");
        }

        String body = new String(first, StandardCharsets.UTF_8);
        assertThat(renders(body, "text", "identity")).isEqualTo(1.0);
        assertThat(renders(text(get("/metrics")), "text", "identity")).isEqualTo(1.0);
    }

    @Test
    void staleCacheTriggersOneRenderOnScrape() throws Exception {
        start();
        assertThat(renders(text(get("/metrics")), "text", "identity")).isEqualTo(1.0);

        clockOffset.set(HOUR.multipliedBy(4).toNanos());

        assertThat(renders(text(get("/metrics")), "text", "identity")).isEqualTo(2.0);
        assertThat(renders(text(get("/metrics")), "text", "identity")).isEqualTo(2.0);
    }

    @Test
    void healthyTurns503WhenThePublisherHasNotRenderedFor5Intervals() throws Exception {
        start();
        assertThat(get("/-/healthy").statusCode()).isEqualTo(200);

        clockOffset.set(HOUR.multipliedBy(6).toNanos());

        assertThat(get("/-/healthy").statusCode()).isEqualTo(503);
    }

    @Test
    void healthyTurns503WhenACollectorTaskFailed() throws Exception {
        start();
        assertThat(get("/-/healthy").statusCode()).isEqualTo(200);

        source.collectorFailed = true;

        assertThat(get("/-/healthy").statusCode()).isEqualTo(503);
    }

    @Test
    void readyWaitsForTheFirstCollectionOrTwoIntervals() throws Exception {
        source.firstCollectionComplete = false;
        start();
        assertThat(get("/-/ready").statusCode()).isEqualTo(503);

        clockOffset.set(HOUR.multipliedBy(2).toNanos());
        assertThat(get("/-/ready").statusCode()).isEqualTo(200);

        clockOffset.set(0);
        source.firstCollectionComplete = true;
        assertThat(get("/-/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void nameFilterBypassesTheCache() throws Exception {
        start();

        HttpResponse<byte[]> r = get("/metrics?name[]=nundb_up&name[]=nundb_exporter_renders_total");

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> samples = Arrays.stream(text(r).split("\n"))
                .filter(l -> !l.startsWith("#"))
                .map(l -> l.substring(0, l.indexOf('{') > 0 ? l.indexOf('{') : l.indexOf(' ')))
                .distinct()
                .collect(Collectors.toList());
        assertThat(samples).containsExactlyInAnyOrder("nundb_up", "nundb_exporter_renders_total");
        assertThat(renders(text(r), "text", "identity")).isEqualTo(1.0);
    }

    @Test
    void headAnswersHeadersWithoutBody() throws Exception {
        start();
        int length = get("/metrics").body().length;

        HttpResponse<byte[]> r = send("HEAD", "/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(length);
    }

    @Test
    void unknownPathIs404AndOtherMethodsAre405WithAllow() throws Exception {
        start();

        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> post = send("POST", "/metrics");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(send("DELETE", "/").statusCode()).isEqualTo(405);
    }

    @Test
    void malformedRequestLineIs400WithoutStackTrace() throws Exception {
        start();

        String response = raw("GARBAGE\r\n\r\n");

        assertThat(response)
                .startsWith("HTTP/1.1 400 ")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void overlongRequestLineIs414AndHugeHeadersAre431() throws Exception {
        start();

        assertThat(raw("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                .startsWith("HTTP/1.1 414 ");
        assertThat(raw("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 ");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        start();

        String response = raw(
                "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /metrics?name[]=nundb_up HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                false);

        int healthy = response.indexOf("Healthy");
        int metrics = response.indexOf("# TYPE nundb_up gauge");
        int notFound = response.indexOf("HTTP/1.1 404");
        assertThat(healthy).isPositive();
        assertThat(metrics).isGreaterThan(healthy);
        assertThat(notFound).isGreaterThan(metrics);
    }

    @Test
    void landingPageEscapesNodeNamesAndShowsTheMode() throws Exception {
        start();

        String page = text(get("/"));

        assertThat(page)
                .contains("n&lt;2&gt;:3017")
                .doesNotContain("n<2>")
                .contains("mode <b>live</b>")
                .contains("9.9.9")
                .contains("<a href=\"./metrics\">");
    }

    @Test
    void downNodeShowsOnlyUpLastSuccessRoleAndCountersOverHttp() throws Exception {
        source.snapshot = FakeSnapshotSource.cluster(
                FakeSnapshotSource.up("n1:3017", Role.PRIMARY), FakeSnapshotSource.down("n2:3017"));
        start(HOUR, "n1:3017");

        String body = text(get("/metrics"));

        List<String> n2 = Arrays.stream(body.split("\n"))
                .filter(l -> l.contains("node=\"n2:3017\""))
                .collect(Collectors.toList());
        assertThat(n2)
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l)
                        .matches("(nundb_up|nundb_node_last_success_timestamp_seconds|nundb_node_role"
                                + "|nundb_exporter_\\w+_total)\\{.*"));
        assertThat(n2).contains("nundb_up{node=\"n2:3017\"} 0.0");
        for (String reason : new String[] {
            "auth",
            "timeout",
            "refused",
            "closed",
            "protocol",
            "undialable",
            "unsupported",
            "error_reply",
            "stale",
            "short_life"
        }) {
            assertThat(body).contains("nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"" + reason + "\"} ");
            assertThat(body).contains("nundb_exporter_poll_errors_total{node=\"n2:3017\",reason=\"" + reason + "\"} ");
        }
        assertThat(body)
                .contains("nun_db_op_log_pending_ops{databases=\"all\"} 3.0\n")
                .contains("nun_db_op_log_file_size{databases=\"all\"} 2048.0\n")
                .contains("nun_db_op_log_ops{databases=\"all\"} 10.0\n")
                .contains("nun_db_replication_time_moving_avg{databases=\"all\"} 12.5\n")
                .contains("nun_db_query_time_moving_avg{databases=\"all\"} 0.25\n");
    }

    @Test
    void rendersAgainEveryPollInterval() throws Exception {
        source.snapshot = FakeSnapshotSource.cluster(FakeSnapshotSource.up("n1:3017", Role.PRIMARY));
        start(Duration.ofMillis(50), null);

        await().untilAsserted(() ->
                assertThat(renders(text(get("/metrics")), "text", "identity")).isGreaterThan(2.0));
    }

    private String raw(String request) throws IOException {
        return raw(request, true);
    }

    /** Sends raw bytes; without half-closing, the server must close after a Connection: close request. */
    private String raw(String request, boolean halfClose) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
