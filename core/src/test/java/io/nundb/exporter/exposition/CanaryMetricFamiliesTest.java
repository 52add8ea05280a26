package io.nundb.exporter.exposition;

import static io.nundb.exporter.exposition.ClusterMetricFamiliesTest.EXPORTER;
import static io.nundb.exporter.exposition.ClusterMetricFamiliesTest.samples;
import static io.nundb.exporter.exposition.ClusterMetricFamiliesTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.CanaryIgnoreReason;
import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.CanaryTotals;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryMetricFamiliesTest {

    private static long[] requests(NunDbCommand command, long n) {
        long[] r = new long[NunDbCommand.values().length];
        r[command.ordinal()] = n;
        return r;
    }

    private static NodeSnapshot secondary(boolean up) {
        CanarySnapshot canary = new CanarySnapshot(
                new RequestTimingSnapshot(
                        new double[] {0.01, 0.1}, new long[] {0, 4, 1}, 5, 0.4, null, 0.05, 0.2, 0.2, 0.06),
                0.08,
                1_700_000_000_250L,
                0.5,
                2,
                requests(NunDbCommand.WATCH, 3));
        NodeSnapshot.Builder b = NodeSnapshot.builder("n2:3017")
                .up(up)
                .requests(NunDbCommand.METRICS_STATE, 7)
                .canary(canary);
        if (!up) {
            b.downReason(PollErrorReason.REFUSED);
        }
        return b.build();
    }

    private static CanaryTotals totals() {
        long[] skipped = new long[CanarySkipReason.values().length];
        skipped[CanarySkipReason.SPLIT_BRAIN.ordinal()] = 4;
        long[] ignored = new long[CanaryIgnoreReason.values().length];
        ignored[CanaryIgnoreReason.FOREIGN.ordinal()] = 6;
        return new CanaryTotals(skipped, ignored, 10);
    }

    @Test
    void exposesTheCanaryOfAnUpSecondaryAndEveryReasonOfTheClusterCounters() throws IOException {
        String text = text(ClusterMetricFamilies.build(
                new ClusterSnapshot(1L, List.of(secondary(true)), 0, 0, totals()), EXPORTER));

        assertThat(samples(text, "n2:3017"))
                .contains(
                        "nundb_replication_canary_lag_seconds_bucket{node=\"n2:3017\",le=\"0.01\"} 0",
                        "nundb_replication_canary_lag_seconds_bucket{node=\"n2:3017\",le=\"0.1\"} 4",
                        "nundb_replication_canary_lag_seconds_bucket{node=\"n2:3017\",le=\"+Inf\"} 5",
                        "nundb_replication_canary_lag_seconds_count{node=\"n2:3017\"} 5",
                        "nundb_replication_canary_lag_seconds_sum{node=\"n2:3017\"} 0.4",
                        "nundb_replication_canary_last_lag_seconds{node=\"n2:3017\"} 0.08",
                        "nundb_replication_canary_last_applied_timestamp_seconds{node=\"n2:3017\"} 1.70000000025E9",
                        "nundb_replication_lag_seconds{node=\"n2:3017\"} 0.5",
                        "nundb_replication_canary_lost_total{node=\"n2:3017\"} 2.0",
                        // The canary connection's requests add to the poll connection's.
                        "nundb_exporter_requests_total{command=\"watch\",node=\"n2:3017\"} 3.0",
                        "nundb_exporter_requests_total{command=\"metrics-state\",node=\"n2:3017\"} 7.0");
        assertThat(text)
                .contains("nundb_replication_canary_skipped_total{reason=\"split_brain\"} 4.0\n")
                .contains("nundb_replication_canary_skipped_total{reason=\"no_primary\"} 0.0\n")
                .contains("nundb_replication_canary_skipped_total{reason=\"canary_token\"} 0.0\n")
                .contains("nundb_replication_canary_ignored_total{reason=\"foreign\"} 6.0\n")
                .contains("nundb_replication_canary_ignored_total{reason=\"unparsable\"} 0.0\n")
                .contains("# HELP nundb_replication_lag_seconds ")
                .contains("# TYPE nundb_replication_canary_lag_seconds histogram");
    }

    @Test
    void aDownSecondaryKeepsItsCumulativeCanarySeriesOnly() throws IOException {
        String text = text(ClusterMetricFamilies.build(
                new ClusterSnapshot(1L, List.of(secondary(false)), 0, 0, totals()), EXPORTER));

        assertThat(samples(text, "n2:3017"))
                .contains(
                        "nundb_replication_canary_lag_seconds_count{node=\"n2:3017\"} 5",
                        "nundb_replication_canary_lost_total{node=\"n2:3017\"} 2.0")
                .noneMatch(l -> l.startsWith("nundb_replication_lag_seconds")
                        || l.startsWith("nundb_replication_canary_last_"));
    }

    @Test
    void withTheCanaryOffNoCanarySeriesAreWritten() throws IOException {
        String text = text(ClusterMetricFamilies.build(
                new ClusterSnapshot(
                        1L, List.of(NodeSnapshot.builder("n1:3017").up(true).build()), 0, 0),
                EXPORTER));

        assertThat(text).doesNotContain("nundb_replication_canary_").doesNotContain("nundb_replication_lag_seconds");
    }

    @Test
    void helpOfTheRequestDurationEmaStatesItsPeriod() throws IOException {
        String text = text(ClusterMetricFamilies.build(
                new ClusterSnapshot(1L, List.of(ClusterMetricFamiliesTest.primary()), 0, 0), EXPORTER));

        assertThat(text)
                .containsPattern("# HELP nundb_request_duration_ema_seconds Exponential moving average of the request"
                        + " duration, 100 samples")
                .contains("nundb_replication_pending_ops{member=\"n2:3017\",node=\"n1:3017\",state=\"waiting\"} 2.0")
                .contains("nundb_replication_pending_ops{member=\"n2:3017\",node=\"n1:3017\",state=\"orphaned\"} 1.0")
                .contains("nundb_replication_oldest_waiting_timestamp_seconds{member=\"n2:3017\",node=\"n1:3017\"}");
    }
}
