package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.exposition.ClusterMetricFamilies;
import io.nundb.exporter.exposition.ExporterSnapshot;
import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A survivor that keeps a dead member in its view (spec Appendix C: ~82 s) on the simulated cluster: the
 * exposition and the canary's {@code views_disagree} skip see the same disagreement, for that node only,
 * and both recover when the survivor drops the member.
 */
class ViewsDisagreeSimulatedTest {
    private static final ExporterSnapshot EXPORTER = new ExporterSnapshot("t", "t", false, new long[0], -1, null);
    private static final Duration HOLD = Duration.ofSeconds(6);

    private static List<String> viewLines(ClusterSnapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ExpositionFormats.init()
                    .getPrometheusTextFormatWriter()
                    .write(out, ClusterMetricFamilies.build(snapshot, EXPORTER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.stream(out.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> l.startsWith("nundb_cluster_views_agree ")
                        || l.startsWith("nundb_node_view_members_not_in_primary{"))
                .toList();
    }

    private static long viewsDisagree(ClusterCollector collector) {
        return collector.snapshot().canary().skipped(CanarySkipReason.VIEWS_DISAGREE);
    }

    @Test
    void staleSurvivorDisagreesForItselfOnlyInMetricAndCanaryUntilItDropsTheDeadMember() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = new ClusterCollector(
                        PendingOpsSimulatedTest.clientConfig(cluster)
                                .pollInterval(Duration.ofMillis(100))
                                .build(),
                        null,
                        TimeSource.SYSTEM,
                        RequestTimingConfig.defaults(),
                        new CanaryConfig(
                                "canarydb",
                                "canary",
                                () -> "canary-token",
                                Duration.ofMillis(100),
                                Duration.ofSeconds(5),
                                "me"))) {
            collector.start();
            String primary = cluster.node(0).name();
            String stale = cluster.node(1).name();
            String dead = cluster.node(2).name();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> collector.snapshot().membersUp() == 3
                            && collector.snapshot().canary().writes() >= 3);
            assertThat(viewLines(collector.snapshot())).contains("nundb_cluster_views_agree 1.0");
            long before = viewsDisagree(collector);

            cluster.staleView(1, HOLD);
            cluster.node(2).kill();

            await().atMost(HOLD)
                    .pollInterval(Duration.ofMillis(20))
                    .until(
                            () -> viewLines(collector.snapshot()),
                            lines -> lines.equals(List.of(
                                    "nundb_cluster_views_agree 0.0",
                                    "nundb_node_view_members_not_in_primary{node=\"" + primary + "\"} 0.0",
                                    "nundb_node_view_members_not_in_primary{node=\"" + stale + "\"} 1.0")));
            await().atMost(Duration.ofSeconds(20)).until(() -> viewsDisagree(collector) > before);
            assertThat(collector.snapshot().node(dead).up()).isFalse();

            // The hold ends: the survivor drops the dead member, the views agree and the canary writes again.
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> viewLines(collector.snapshot()),
                            lines -> lines.equals(List.of(
                                    "nundb_cluster_views_agree 1.0",
                                    "nundb_node_view_members_not_in_primary{node=\"" + primary + "\"} 0.0",
                                    "nundb_node_view_members_not_in_primary{node=\"" + stale + "\"} 0.0")));
            long writes = collector.snapshot().canary().writes();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> collector.snapshot().canary().writes() >= writes + 3);
        }
    }
}
