package io.nundb.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClusterMetricFamiliesTest {

    static final ExporterSnapshot EXPORTER =
            new ExporterSnapshot("1.2.3", "abc", false, new long[] {1, 0, 0, 0, 2, 0}, -1, null);

    static NodeSnapshot primary() {
        return NodeSnapshot.builder("n1:3017")
                .up(true)
                .lastSuccessEpochMillis(1_700_000_000_500L)
                .metrics(new MetricsState(3, 2048, 10, 12.5, 0.25))
                .view(new ClusterView(List.of(
                        new ViewMember("n1:3017", MemberStatus.SELF, Role.PRIMARY),
                        new ViewMember("n2:3017", MemberStatus.CONNECTED, Role.SECONDARY))))
                .processStartEpochMillis(1_600_000_000_000L)
                .databases(4)
                .pollCycleSeconds(0.004)
                .requests(NunDbCommand.METRICS_STATE, 7)
                .pollErrors(PollErrorReason.TIMEOUT, 2)
                .timing(
                        NunDbCommand.METRICS_STATE,
                        new RequestTimingSnapshot(
                                new double[] {0.001, 0.01},
                                new long[] {5, 1, 1},
                                7,
                                0.5,
                                new RequestTimingSnapshot.NativeBuckets(
                                        3, 0x1p-16, 1, new int[] {-80, -79, -40}, new long[] {3, 2, 1}),
                                0.0005,
                                0.02,
                                0.03,
                                0.001))
                .pendingOps(new PendingOpsSnapshot(
                        Map.of("n2:3017", new PendingOpsSnapshot.Member(2, 1, 1_700_000_000_000_000_000L)), 0, 0))
                .build();
    }

    static NodeSnapshot down() {
        return NodeSnapshot.builder("n2:3017")
                .up(false)
                .downReason(PollErrorReason.REFUSED)
                .lastSuccessEpochMillis(1_700_000_000_000L)
                .metrics(new MetricsState(9, 9, 9, 9, 9))
                .view(new ClusterView(List.of(new ViewMember("n2:3017", MemberStatus.SELF, Role.SECONDARY))))
                .processStartEpochMillis(1L)
                .databases(3)
                .pollCycleSeconds(0.5)
                .pollErrors(PollErrorReason.REFUSED, 4)
                .timing(
                        NunDbCommand.METRICS_STATE,
                        new RequestTimingSnapshot(new double[] {0.001}, new long[] {1, 0}, 1, 0.0002, null, 1, 1, 1, 1))
                .build();
    }

    static String text(MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, snapshots);
        return out.toString(StandardCharsets.UTF_8);
    }

    static List<String> samples(String text, String node) {
        return Arrays.stream(text.split("\n"))
                .filter(l -> !l.startsWith("#") && l.contains("node=\"" + node + "\""))
                .collect(Collectors.toList());
    }

    @Test
    void writesTheCatalogForAnUpNodeLineByLineSortedByLabels() throws IOException {
        ClusterSnapshot cluster = new ClusterSnapshot(1_700_000_001_000L, List.of(primary()), 3, 0);

        String text = text(ClusterMetricFamilies.build(cluster, EXPORTER));

        assertThat(samples(text, "n1:3017"))
                .containsExactly(
                        "nundb_exporter_collection_duration_seconds{node=\"n1:3017\"} 0.004",
                        "nundb_exporter_connects_total{node=\"n1:3017\"} 0.0",
                        "nundb_exporter_late_replies_total{node=\"n1:3017\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"auth\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"closed\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"error_reply\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"protocol\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"refused\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"short_life\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"stale\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"timeout\"} 2.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"undialable\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n1:3017\",reason=\"unsupported\"} 0.0",
                        "nundb_exporter_requests_total{command=\"auth\",node=\"n1:3017\"} 0.0",
                        "nundb_exporter_requests_total{command=\"cluster-state\",node=\"n1:3017\"} 0.0",
                        "nundb_exporter_requests_total{command=\"debug-list-dbs\",node=\"n1:3017\"} 0.0",
                        "nundb_exporter_requests_total{command=\"debug-pending-ops\",node=\"n1:3017\"} 0.0",
                        "nundb_exporter_requests_total{command=\"debug-process-info\",node=\"n1:3017\"} 0.0",
                        "nundb_exporter_requests_total{command=\"metrics-state\",node=\"n1:3017\"} 7.0",
                        "nundb_exporter_skipped_ticks_total{node=\"n1:3017\"} 0.0",
                        "nundb_exporter_truncated_lines_total{node=\"n1:3017\"} 0.0",
                        "nundb_node_claims_primary{node=\"n1:3017\"} 1.0",
                        "nundb_node_databases{node=\"n1:3017\"} 4.0",
                        "nundb_node_last_success_timestamp_seconds{node=\"n1:3017\"} 1.7000000005E9",
                        "nundb_node_role{node=\"n1:3017\",role=\"primary\"} 1.0",
                        "nundb_node_role{node=\"n1:3017\",role=\"secondary\"} 0.0",
                        "nundb_node_role{node=\"n1:3017\",role=\"starting\"} 0.0",
                        "nundb_node_start_time_seconds{node=\"n1:3017\"} 1.6E9",
                        "nundb_node_view_members{node=\"n1:3017\"} 2.0",
                        "nundb_node_view_members_not_in_primary{node=\"n1:3017\"} 0.0",
                        "nundb_node_view_primaries{node=\"n1:3017\"} 1.0",
                        "nundb_oplog_entries{node=\"n1:3017\"} 10.0",
                        "nundb_oplog_pending_ops{node=\"n1:3017\"} 3.0",
                        "nundb_oplog_size_bytes{node=\"n1:3017\"} 2048.0",
                        "nundb_query_time_ema_seconds{node=\"n1:3017\"} 2.5E-4",
                        "nundb_replication_oldest_waiting_timestamp_seconds{member=\"n2:3017\",node=\"n1:3017\"} 1.7E9",
                        "nundb_replication_pending_ops{member=\"n2:3017\",node=\"n1:3017\",state=\"orphaned\"} 1.0",
                        "nundb_replication_pending_ops{member=\"n2:3017\",node=\"n1:3017\",state=\"waiting\"} 2.0",
                        "nundb_replication_time_ema_seconds{node=\"n1:3017\"} 0.0125",
                        "nundb_request_duration_ema_seconds{command=\"metrics-state\",node=\"n1:3017\"} 0.001",
                        "nundb_request_duration_seconds_bucket{command=\"metrics-state\",node=\"n1:3017\",le=\"0.001\"} 5",
                        "nundb_request_duration_seconds_bucket{command=\"metrics-state\",node=\"n1:3017\",le=\"0.01\"} 6",
                        "nundb_request_duration_seconds_bucket{command=\"metrics-state\",node=\"n1:3017\",le=\"+Inf\"} 7",
                        "nundb_request_duration_seconds_count{command=\"metrics-state\",node=\"n1:3017\"} 7",
                        "nundb_request_duration_seconds_sum{command=\"metrics-state\",node=\"n1:3017\"} 0.5",
                        "nundb_request_duration_window_max_seconds{command=\"metrics-state\",node=\"n1:3017\"} 0.03",
                        "nundb_request_duration_window_seconds{command=\"metrics-state\",node=\"n1:3017\",quantile=\"0.5\"} 5.0E-4",
                        "nundb_request_duration_window_seconds{command=\"metrics-state\",node=\"n1:3017\",quantile=\"0.99\"} 0.02",
                        "nundb_request_duration_window_seconds_count{command=\"metrics-state\",node=\"n1:3017\"} 7",
                        "nundb_request_duration_window_seconds_sum{command=\"metrics-state\",node=\"n1:3017\"} 0.5",
                        "nundb_up{node=\"n1:3017\"} 1.0");
        assertThat(text)
                .contains("nundb_cluster_members_up 1.0\n")
                .contains("nundb_cluster_expected_members 3.0\n")
                .contains("nundb_exporter_build_info{mode=\"live\",revision=\"abc\",version=\"1.2.3\"} 1.0\n")
                .contains("nundb_exporter_last_collection_timestamp_seconds 1.700000001E9\n")
                .contains("nundb_exporter_collection_duration_seconds{node=\"n1:3017\"} 0.004\n")
                .contains("nundb_exporter_renders_total{encoding=\"identity\",format=\"text\"} 1.0\n")
                .contains("nundb_exporter_renders_total{encoding=\"identity\",format=\"protobuf\"} 2.0\n")
                .contains("nundb_exporter_renders_total{encoding=\"gzip\",format=\"openmetrics\"} 0.0\n")
                .doesNotContain("nun_db_")
                .doesNotContain("nundb_exporter_netty_direct_memory_bytes ");
    }

    @Test
    void downNodeEmitsOnlyUpLastSuccessRoleAtZeroAndCounters() throws IOException {
        ClusterSnapshot cluster = new ClusterSnapshot(1L, List.of(down()), 0, 0);

        List<String> lines = samples(text(ClusterMetricFamilies.build(cluster, EXPORTER)), "n2:3017");

        assertThat(lines)
                .allSatisfy(
                        l -> assertThat(l)
                                .matches(
                                        "(nundb_up|nundb_node_last_success_timestamp_seconds|nundb_node_role"
                                                + "|nundb_exporter_\\w+_total|nundb_request_duration_(window_)?seconds_(bucket|count|sum))\\{.*"));
        assertThat(lines)
                .contains(
                        "nundb_up{node=\"n2:3017\"} 0.0",
                        "nundb_node_last_success_timestamp_seconds{node=\"n2:3017\"} 1.7E9",
                        "nundb_node_role{node=\"n2:3017\",role=\"secondary\"} 0.0",
                        "nundb_exporter_poll_errors_total{node=\"n2:3017\",reason=\"refused\"} 4.0")
                .filteredOn(l -> l.startsWith("nundb_node_role"))
                .hasSize(3)
                .allSatisfy(l -> assertThat(l).endsWith(" 0.0"));
    }

    @Test
    void windowIsASummaryWithoutQuantilesWhileTheNodeIsDown() throws IOException {
        ClusterSnapshot cluster = new ClusterSnapshot(1L, List.of(down()), 0, 0);

        String text = text(ClusterMetricFamilies.build(cluster, EXPORTER));

        assertThat(text)
                .contains("# TYPE nundb_request_duration_window_seconds summary\n")
                .contains("nundb_request_duration_window_seconds_count{command=\"metrics-state\",node=\"n2:3017\"} 1\n")
                .doesNotContain("quantile=\"max\"")
                .doesNotContain("nundb_request_duration_window_seconds{")
                .doesNotContain("nundb_request_duration_window_max_seconds{");
    }

    @Test
    void protobufCarriesTheNativeHistogramBesideTheClassicBuckets() {
        MetricSnapshots snapshots =
                ClusterMetricFamilies.build(new ClusterSnapshot(1L, List.of(primary()), 3, 0), EXPORTER);

        String debug = new PrometheusProtobufWriter().toDebugString(snapshots, EscapingScheme.DEFAULT);

        String histogram = debug.substring(debug.indexOf("name: \"nundb_request_duration_seconds\""));
        histogram = histogram.substring(0, histogram.indexOf("name: \"nundb_", 10));
        assertThat(histogram.replaceAll("\\s+", " "))
                .contains("sample_count: 7")
                .contains("upper_bound: 0.001")
                .contains("schema: 3")
                .contains("zero_count: 1")
                .contains("positive_span { offset: -80 length: 2 }")
                .contains("positive_span { offset: 38 length: 1 }")
                .contains("positive_delta: 3 positive_delta: -1 positive_delta: -1");
    }

    @Test
    void compatibilityGaugesCarryTheNamedNodesValuesInMilliseconds() throws IOException {
        ExporterSnapshot compat = new ExporterSnapshot("1", "r", true, new long[6], 1024, "n1:3017");
        ClusterSnapshot cluster = new ClusterSnapshot(1L, List.of(primary(), down()), 0, 0);

        String text = text(ClusterMetricFamilies.build(cluster, compat));

        assertThat(Arrays.stream(text.split("\n")).filter(l -> l.startsWith("nun_db_")))
                .containsExactly(
                        "nun_db_op_log_file_size{databases=\"all\"} 2048.0",
                        "nun_db_op_log_ops{databases=\"all\"} 10.0",
                        "nun_db_op_log_pending_ops{databases=\"all\"} 3.0",
                        "nun_db_query_time_moving_avg{databases=\"all\"} 0.25",
                        "nun_db_replication_time_moving_avg{databases=\"all\"} 12.5");
        assertThat(text)
                .contains("nundb_exporter_build_info{mode=\"demo\",revision=\"r\",version=\"1\"} 1.0\n")
                .contains("nundb_exporter_netty_direct_memory_bytes 1024.0\n")
                .doesNotContain("nundb_cluster_expected_members ");
    }

    @Test
    void helpOfTheEmasNamesTheirQuirks() throws IOException {
        String text = text(ClusterMetricFamilies.build(new ClusterSnapshot(1L, List.of(primary()), 0, 0), EXPORTER));

        assertThat(text)
                .contains("# HELP nundb_query_time_ema_seconds ")
                .containsPattern("nundb_query_time_ema_seconds .*exponential moving average over its last 100 samples"
                        + ".*exporter's own")
                .containsPattern("nundb_replication_time_ema_seconds .*100 samples.*Freezes on a node that became"
                        + " secondary after a failover");
    }

    @Test
    void everyFormatWritesTheSnapshotsIncludingProtobuf() throws IOException {
        ExpositionFormats formats = ExpositionFormats.init();
        MetricSnapshots snapshots =
                ClusterMetricFamilies.build(new ClusterSnapshot(1L, List.of(primary(), down()), 3, 0), EXPORTER);

        for (String accept : new String[] {
            null,
            "application/openmetrics-text; version=1.0.0",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
        }) {
            var writer = formats.findWriter(accept);
            assertThat(writer.isAvailable()).as(accept).isTrue();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, snapshots);
            assertThat(out.size()).as(accept).isGreaterThan(1000);
        }
        assertThat(ExpositionFormat.of(formats.findWriter(
                        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")))
                .isEqualTo(ExpositionFormat.PROTOBUF);
        assertThat(ExpositionFormat.of(formats.findWriter("application/openmetrics-text")))
                .isEqualTo(ExpositionFormat.OPENMETRICS);
        assertThat(ExpositionFormat.of(formats.findWriter("text/plain"))).isEqualTo(ExpositionFormat.TEXT);
    }
}
