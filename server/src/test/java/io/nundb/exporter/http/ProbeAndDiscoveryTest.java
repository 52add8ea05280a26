package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeAndDiscoveryTest {
    final FakeSnapshotSource source = new FakeSnapshotSource();
    final HttpClient client = HttpClient.newHttpClient();
    MetricsPublisher publisher;
    ExporterHttpServer server;

    @BeforeEach
    void start() throws Exception {
        source.snapshot = FakeSnapshotSource.cluster(
                FakeSnapshotSource.up("n1:3017", Role.PRIMARY),
                FakeSnapshotSource.up("n<2>:3017", Role.SECONDARY),
                FakeSnapshotSource.down("n3:3017"));
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        publisher = new MetricsPublisher(
                ScrapeEndpointConfig.of(
                        "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", false, null),
                source,
                registry,
                System::nanoTime);
        publisher.start();
        server = ExporterHttpServer.start(publisher, 1);
        await().until(publisher::healthy);
    }

    @AfterEach
    void stop() {
        server.close(500);
        publisher.close(500);
    }

    HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void probeServesOnlyTheTargetNodesSeries() throws Exception {
        HttpResponse<byte[]> r = get("/probe?target=n%3C2%3E:3017");

        assertThat(r.statusCode()).isEqualTo(200);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body)
                .contains("nundb_up{node=\"n<2>:3017\"} 1.0\n")
                .contains("nundb_node_role{node=\"n<2>:3017\",role=\"secondary\"} 1.0\n")
                .contains("nundb_oplog_pending_ops{node=\"n<2>:3017\"} 3.0\n")
                .doesNotContain("n1:3017")
                .doesNotContain("n3:3017")
                .doesNotContain("nundb_cluster_")
                .doesNotContain("nundb_exporter_build_info")
                .doesNotContain("jvm_");
        assertThat(Arrays.stream(body.split("\n")).filter(l -> !l.startsWith("#")))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).contains("node=\"n<2>:3017\""));
    }

    @Test
    void probeOfADownNodeShowsItDown() throws Exception {
        String body = new String(get("/probe?target=n3:3017").body(), StandardCharsets.UTF_8);

        assertThat(body).contains("nundb_up{node=\"n3:3017\"} 0.0\n").doesNotContain("nundb_oplog_pending_ops");
    }

    @Test
    void probeNegotiatesOpenMetricsAndGzip() throws Exception {
        HttpResponse<byte[]> r = get(
                "/probe?target=n1:3017",
                "Accept",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                "Accept-Encoding",
                "gzip");

        assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
        String body = new String(
                new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(body).contains("nundb_up{node=\"n1:3017\"} 1.0").endsWith("# EOF\n");
    }

    @Test
    void probeOfAnUnknownOrMissingTargetIsRefusedWithoutDialling() throws Exception {
        assertThat(get("/probe?target=evil.example:3014").statusCode()).isEqualTo(404);
        assertThat(get("/probe?target=127.0.0.1:1").statusCode()).isEqualTo(404);
        assertThat(get("/probe").statusCode()).isEqualTo(400);
        assertThat(get("/probe?target=").statusCode()).isEqualTo(400);
        assertThat(get("/probe?target=n1:3017&target=n3:3017").statusCode()).isEqualTo(400);
        // The source (the collector) is only read: the known nodes are unchanged.
        assertThat(source.snapshot.nodes()).hasSize(3);
    }

    @Test
    void discoveryListsEveryKnownNodeAsAProbeTargetWithMetaLabelsOnly() throws Exception {
        HttpResponse<byte[]> r = get("/discovery");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        String self = "127.0.0.1:" + server.port();
        // No target label (a "node" target label would turn the probed series' node into exported_node).
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo("[{\"targets\":[\"" + self + "\"],\"labels\":{\"__meta_nundb_node\":\"n1:3017\","
                        + "\"__meta_nundb_role\":\"primary\",\"__meta_nundb_up\":\"1\",\"__metrics_path__\":\"/probe\","
                        + "\"__param_target\":\"n1:3017\",\"__scheme__\":\"http\"}},"
                        + "{\"targets\":[\"" + self + "\"],\"labels\":{\"__meta_nundb_node\":\"n\\u003c2\\u003e:3017\","
                        + "\"__meta_nundb_role\":\"secondary\",\"__meta_nundb_up\":\"1\",\"__metrics_path__\":\"/probe\","
                        + "\"__param_target\":\"n\\u003c2\\u003e:3017\",\"__scheme__\":\"http\"}},"
                        + "{\"targets\":[\"" + self + "\"],\"labels\":{\"__meta_nundb_node\":\"n3:3017\","
                        + "\"__meta_nundb_up\":\"0\",\"__metrics_path__\":\"/probe\","
                        + "\"__param_target\":\"n3:3017\",\"__scheme__\":\"http\"}}]\n");
    }

    @Test
    void discoveryNamesTheDialAddressAndTheSchemeOfATlsEndpoint() {
        NodeSnapshot node = FakeSnapshotSource.up("nundb-0:3014", Role.PRIMARY).toBuilder()
                .dialAddress("10.0.0.7:3014")
                .build();

        String json = HttpServiceDiscovery.render(FakeSnapshotSource.cluster(node), "exporter:9898", true);

        assertThat(json)
                .isEqualTo(
                        "[{\"targets\":[\"exporter:9898\"],\"labels\":{\"__meta_nundb_address\":\"10.0.0.7:3014\","
                                + "\"__meta_nundb_node\":\"nundb-0:3014\",\"__meta_nundb_role\":\"primary\",\"__meta_nundb_up\":\"1\","
                                + "\"__metrics_path__\":\"/probe\",\"__param_target\":\"nundb-0:3014\",\"__scheme__\":\"https\"}}]\n");
    }

    @Test
    void discoveryIgnoresAHostileHostHeader() {
        assertThat(HttpServiceDiscovery.selfAddress(
                        "evil\"},{\"targets\":[\"x", new java.net.InetSocketAddress("127.0.0.1", 9898)))
                .isEqualTo("127.0.0.1:9898");
        assertThat(HttpServiceDiscovery.selfAddress("exporter.monitoring:9898", null))
                .isEqualTo("exporter.monitoring:9898");
    }
}
