package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedMetricsState;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole exporter on loopback: a simulated cluster whose node names differ from their addresses,
 * the collector, the publisher and the HTTP endpoint, scraped with a real HTTP client. Configured
 * through the CLI parser, as an operator would, with small intervals.
 */
// "try": resources that are only held for the block (a write load held open for the block).
@SuppressWarnings("try")
class ExporterIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String N0 = "nundb-0.sim:3014";
    private static final String N1 = "nundb-1.sim:3014";
    private static final String N2 = "nundb-2.sim:3014";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private SimulatedCluster cluster;
    private Collection collection;
    private ExporterApp app;

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
        if (collection != null) {
            collection.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void start(SimulatedCluster.Builder builder, String... extraArgs) throws Exception {
        String password = "pw-" + System.nanoTime();
        cluster = builder.credentials("nun", password).start();
        List<String> args = new ArrayList<>(List.of(
                "--nundb.address=127.0.0.1:" + cluster.node(0).port(),
                "--nundb.user=nun",
                "--nundb.poll-interval=100ms",
                "--nundb.request-timeout=300ms",
                "--nundb.connect-timeout=500ms",
                "--render.min-interval=100ms",
                "--web.listen-address=127.0.0.1:0"));
        for (SimulatedNode n : cluster.nodes()) {
            args.add("--nundb.address-map=" + n.name() + "=127.0.0.1:" + n.port());
        }
        args.addAll(List.of(extraArgs));
        ExporterConfig config = ExporterCommandTest.parse(Map.of("NUN_PWD", password), args.toArray(String[]::new));
        collection = Collection.start(config);
        app = ExporterApp.start(config, collection.source());
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(5));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Scrapes {@code /metrics} in the text format: series (name and labels as written) to value. */
    private Map<String, Double> scrape() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return parse(new String(r.body(), StandardCharsets.UTF_8));
    }

    private static Map<String, Double> parse(String text) {
        Map<String, Double> series = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    private static Double value(Map<String, Double> m, String name, String node) {
        return m.get(name + "{node=\"" + node + "\"}");
    }

    private static Map<String, Double> roleSeries(Map<String, Double> m) {
        Map<String, Double> roles = new TreeMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith("nundb_node_role{") || k.startsWith("nundb_node_claims_primary{")) {
                roles.put(k, v);
            }
        });
        return roles;
    }

    @Test
    void everyNodeIsPresentWithCorrectValuesAfterWrites() throws Exception {
        start(SimulatedCluster.builder().size(3));
        try (AutoCloseable load = cluster.startWriteLoad("demo", "demo-token", 50)) {
            await().atMost(WAIT).until(() -> cluster.node(2).metricsState().opLogCount() >= 20);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> m = scrape();
            for (SimulatedNode n : cluster.nodes()) {
                SimulatedMetricsState expected = n.metricsState();
                assertThat(value(m, "nundb_up", n.name())).isEqualTo(1.0);
                assertThat(value(m, "nundb_oplog_entries", n.name())).isEqualTo((double) expected.opLogCount());
                assertThat(value(m, "nundb_oplog_size_bytes", n.name()))
                        .isEqualTo((double) expected.opLogFileSizeBytes());
                assertThat(value(m, "nundb_node_start_time_seconds", n.name())).isEqualTo(n.processId() / 1000.0);
            }
            assertThat(m.get("nundb_cluster_members_up")).isEqualTo(3.0);
            // Nothing pending: the primary reports zero per member of its view, not no data.
            assertThat(m.get("nundb_replication_pending_ops{member=\"" + N1 + "\",node=\"" + N0
                            + "\",state=\"orphaned\"}"))
                    .isEqualTo(0.0);
            assertThat(m.get("nundb_node_role{node=\"" + N0 + "\",role=\"primary\"}"))
                    .isEqualTo(1.0);
            assertThat(m.get("nundb_node_role{node=\"" + N1 + "\",role=\"secondary\"}"))
                    .isEqualTo(1.0);
        });
    }

    @Test
    void aKilledNodeIsDownAtOnceWithItsReasonWhileTheOthersStayCorrect() throws Exception {
        start(SimulatedCluster.builder().size(3));
        await().atMost(WAIT).until(() -> scrape().get("nundb_cluster_members_up") == 3.0);
        cluster.kill(2);
        // "At once": the node's connection closes, well before staleness (3 intervals) could matter.
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            Map<String, Double> m = scrape();
            assertThat(value(m, "nundb_up", N2)).isEqualTo(0.0);
            double closed = m.get("nundb_exporter_poll_errors_total{node=\"" + N2 + "\",reason=\"closed\"}");
            double refused = m.get("nundb_exporter_poll_errors_total{node=\"" + N2 + "\",reason=\"refused\"}");
            assertThat(closed + refused).isGreaterThanOrEqualTo(1.0);
            // Never stale values presented as current.
            assertThat(value(m, "nundb_oplog_entries", N2)).isNull();
            assertThat(value(m, "nundb_node_last_success_timestamp_seconds", N2))
                    .isNotNull();
            assertThat(value(m, "nundb_up", N0)).isEqualTo(1.0);
            assertThat(value(m, "nundb_up", N1)).isEqualTo(1.0);
            assertThat(value(m, "nundb_oplog_entries", N1))
                    .isEqualTo((double) cluster.node(1).metricsState().opLogCount());
        });
        cluster.restart(2);
        await().atMost(WAIT).until(() -> value(scrape(), "nundb_up", N2) == 1.0);
    }

    @Test
    void aStoppedNodeIsDownWithinTheStalenessBoundAndRecovers() throws Exception {
        start(SimulatedCluster.builder().size(3));
        await().atMost(WAIT).until(() -> scrape().get("nundb_cluster_members_up") == 3.0);
        cluster.node(1).stop();
        // Staleness: no success for 3 poll intervals (300 ms), plus a render interval.
        await().atMost(Duration.ofSeconds(3)).until(() -> value(scrape(), "nundb_up", N1) == 0.0);
        Map<String, Double> m = scrape();
        assertThat(value(m, "nundb_up", N0)).isEqualTo(1.0);
        assertThat(value(m, "nundb_up", N2)).isEqualTo(1.0);
        cluster.node(1).resume();
        await().atMost(WAIT).until(() -> value(scrape(), "nundb_up", N1) == 1.0);
    }

    @Test
    void failoverMovesTheRoleWithoutChangingSeriesIdentity() throws Exception {
        start(SimulatedCluster.builder().size(3).electionWindow(Duration.ofMillis(200)));
        await().atMost(WAIT).until(() -> scrape().get("nundb_cluster_members_up") == 3.0);
        Map<String, Double> before = roleSeries(scrape());
        before.keySet().removeIf(k -> k.startsWith("nundb_node_claims_primary{node=\"" + N0));
        assertThat(scrape().get("nundb_node_claims_primary{node=\"" + N0 + "\"}"))
                .isEqualTo(1.0);
        cluster.kill(0);
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> after = roleSeries(scrape());
            // The dead node's claim is not emitted while it is down (never stale values as current).
            assertThat(after).doesNotContainKey("nundb_node_claims_primary{node=\"" + N0 + "\"}");
            assertThat(after.keySet()).isEqualTo(before.keySet());
            assertThat(after.get("nundb_node_claims_primary{node=\"" + N1 + "\"}"))
                    .isEqualTo(1.0);
            assertThat(after.get("nundb_node_role{node=\"" + N1 + "\",role=\"primary\"}"))
                    .isEqualTo(1.0);
            assertThat(after.get("nundb_node_role{node=\"" + N1 + "\",role=\"secondary\"}"))
                    .isEqualTo(0.0);
            // The dead node's role series stay, all 0.
            assertThat(after.get("nundb_node_role{node=\"" + N0 + "\",role=\"primary\"}"))
                    .isEqualTo(0.0);
        });
    }

    @Test
    void theRealStartUpSplitBrainShowsTwoNodesClaimingPrimary() throws Exception {
        start(SimulatedCluster.builder().size(3).startupSplitBrain(true));
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> m = scrape();
            assertThat(m.get("nundb_cluster_members_up")).isEqualTo(3.0);
            double claims = 0;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (e.getKey().startsWith("nundb_node_claims_primary{")) {
                    claims += e.getValue();
                }
            }
            assertThat(claims).isEqualTo(2.0);
            // In the real split brain each view lists exactly one primary: counting per view misses it.
            for (SimulatedNode n : cluster.nodes()) {
                assertThat(value(m, "nundb_node_view_primaries", n.name())).isEqualTo(1.0);
            }
        });
    }

    @Test
    void theCompatibilityGaugesEqualTheSeedsMetricsState() throws Exception {
        start(SimulatedCluster.builder().size(3), "--compat.legacy-metrics");
        SimulatedMetricsState scripted =
                new SimulatedMetricsState(22, 3100, 124, 2.419368907874114, 5.641915184967369E-4);
        cluster.node(0).scriptMetricsState(scripted);
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> m = scrape();
            assertThat(m.get("nun_db_op_log_pending_ops{databases=\"all\"}")).isEqualTo(22.0);
            assertThat(m.get("nun_db_op_log_file_size{databases=\"all\"}")).isEqualTo(3100.0);
            assertThat(m.get("nun_db_op_log_ops{databases=\"all\"}")).isEqualTo(124.0);
            assertThat(m.get("nun_db_replication_time_moving_avg{databases=\"all\"}"))
                    .isEqualTo(2.419368907874114);
            assertThat(m.get("nun_db_query_time_moving_avg{databases=\"all\"}")).isEqualTo(5.641915184967369E-4);
            assertThat(value(m, "nundb_replication_time_ema_seconds", N0)).isEqualTo(2.419368907874114 / 1000);
        });
    }

    @Test
    void negotiatesOpenMetricsProtobufAndGzipOnALiveCluster() throws Exception {
        start(SimulatedCluster.builder().size(3));
        await().atMost(WAIT).until(() -> scrape().get("nundb_cluster_members_up") == 3.0);
        HttpResponse<byte[]> om = get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(new String(om.body(), StandardCharsets.UTF_8))
                .endsWith("# EOF\n")
                .contains("nundb_up{node=\"" + N1 + "\"} 1.0");
        HttpResponse<byte[]> pb = get(
                "/metrics",
                "Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
        assertThat(pb.headers().firstValue("Content-Type").orElse(""))
                .as("%s %s", pb.request().headers().map(), pb.headers().map())
                .startsWith("application/vnd.google.protobuf");
        assertThat(new String(pb.body(), StandardCharsets.ISO_8859_1)).contains("nundb_up", N2);
        HttpResponse<byte[]> gz = get("/metrics", "Accept-Encoding", "gzip");
        assertThat(gz.headers().firstValue("Content-Encoding")).contains("gzip");
        String unzipped;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            unzipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(parse(unzipped)).containsKey("nundb_up{node=\"" + N0 + "\"}");
        // The counters are part of each render: the next text render shows the protobuf one.
        await().atMost(WAIT)
                .until(() ->
                        scrape().get("nundb_exporter_renders_total{encoding=\"identity\",format=\"protobuf\"}") >= 1.0);
    }
}
