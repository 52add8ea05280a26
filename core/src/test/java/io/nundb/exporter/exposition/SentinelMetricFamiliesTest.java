package io.nundb.exporter.exposition;

import static io.nundb.exporter.exposition.ClusterMetricFamiliesTest.EXPORTER;
import static io.nundb.exporter.exposition.ClusterMetricFamiliesTest.samples;
import static io.nundb.exporter.exposition.ClusterMetricFamiliesTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.SentinelResult;
import io.nundb.exporter.model.SentinelSnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentinelMetricFamiliesTest {
    private static NodeSnapshot node(String name, SentinelSnapshot sentinel) {
        CanarySnapshot canary = new CanarySnapshot(
                null, Double.NaN, 0, Double.NaN, 0, new long[NunDbCommand.values().length], sentinel);
        return NodeSnapshot.builder(name).up(true).canary(canary).build();
    }

    private static SentinelSnapshot checks(SentinelResult last, long present, long missing, long error) {
        long[] c = new long[SentinelResult.values().length];
        c[SentinelResult.PRESENT.ordinal()] = present;
        c[SentinelResult.MISSING.ordinal()] = missing;
        c[SentinelResult.ERROR.ordinal()] = error;
        return new SentinelSnapshot(last, c);
    }

    @Test
    void exposesPresenceAndChecksByResultPerNode() throws IOException {
        String text = text(ClusterMetricFamilies.build(
                new ClusterSnapshot(
                        1L,
                        List.of(
                                node("n1:3017", checks(SentinelResult.PRESENT, 5, 0, 0)),
                                node("n2:3017", checks(SentinelResult.MISSING, 3, 2, 1))),
                        0,
                        0),
                EXPORTER));

        assertThat(samples(text, "n1:3017"))
                .contains(
                        "nundb_replication_sentinel_present{node=\"n1:3017\"} 1.0",
                        "nundb_replication_sentinel_checks_total{node=\"n1:3017\",result=\"present\"} 5.0",
                        "nundb_replication_sentinel_checks_total{node=\"n1:3017\",result=\"missing\"} 0.0");
        assertThat(samples(text, "n2:3017"))
                .contains(
                        "nundb_replication_sentinel_present{node=\"n2:3017\"} 0.0",
                        "nundb_replication_sentinel_checks_total{node=\"n2:3017\",result=\"missing\"} 2.0",
                        "nundb_replication_sentinel_checks_total{node=\"n2:3017\",result=\"different\"} 0.0",
                        "nundb_replication_sentinel_checks_total{node=\"n2:3017\",result=\"error\"} 1.0");
    }

    @Test
    void aNodeNeverCheckedHasNoSeriesAndOneWithoutAnAnswerOnlyItsChecks() throws IOException {
        String text = text(ClusterMetricFamilies.build(
                new ClusterSnapshot(1L, List.of(node("n1:3017", null), node("n2:3017", checks(null, 0, 0, 3))), 0, 0),
                EXPORTER));

        assertThat(samples(text, "n1:3017")).noneMatch(l -> l.startsWith("nundb_replication_sentinel_"));
        assertThat(samples(text, "n2:3017"))
                .contains("nundb_replication_sentinel_checks_total{node=\"n2:3017\",result=\"error\"} 3.0")
                .noneMatch(l -> l.startsWith("nundb_replication_sentinel_present"));
    }
}
