package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.SentinelResult;
import io.nundb.exporter.model.SentinelSnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.sim.RestartData;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The replication sentinel against the simulated cluster: a member that rejoined without its data
 * (spec Appendix C) is found for that node only, a restart with its data is not data loss, and a member
 * rebuilt from the primary holds the sentinel again.
 */
class SentinelSimulatedTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ClusterCollector collector(SimulatedCluster cluster) {
        ClientConfig config = PendingOpsSimulatedTest.clientConfig(cluster)
                .pollInterval(Duration.ofMillis(100))
                .build();
        CanaryConfig canary = new CanaryConfig(
                "canarydb",
                "canary",
                () -> "canary-token",
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                "me",
                Duration.ofMillis(200));
        ClusterCollector c =
                new ClusterCollector(config, null, TimeSource.SYSTEM, RequestTimingConfig.defaults(), canary);
        c.start();
        return c;
    }

    private static SentinelSnapshot sentinel(ClusterCollector collector, SimulatedNode node) {
        NodeSnapshot s = collector.snapshot().node(node.name());
        return s == null || s.canary() == null ? null : s.canary().sentinel();
    }

    private static long checks(ClusterCollector collector, SimulatedNode node, SentinelResult result) {
        SentinelSnapshot s = sentinel(collector, node);
        return s == null ? 0 : s.checks(result);
    }

    private static SentinelResult last(ClusterCollector collector, SimulatedNode node) {
        SentinelSnapshot s = sentinel(collector, node);
        return s == null ? null : s.last();
    }

    private static void awaitAllPresent(SimulatedCluster cluster, ClusterCollector collector) {
        await().atMost(WAIT).until(() -> {
            for (SimulatedNode n : cluster.nodes()) {
                if (checks(collector, n, SentinelResult.PRESENT) < 2) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Waits until {@code node} was checked present {@code more} more times than now. */
    private static void awaitMorePresentChecks(ClusterCollector collector, SimulatedNode node, int more) {
        long before = checks(collector, node, SentinelResult.PRESENT);
        await().atMost(WAIT).until(() -> checks(collector, node, SentinelResult.PRESENT) >= before + more);
    }

    @Test
    void memberRejoiningWipedIsMissingForThatNodeOnlyUntilItIsResynced() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = collector(cluster)) {
            awaitAllPresent(cluster, collector);
            // Reads go over the canary connections only: the sentinel adds one get per node and round there.
            assertThat(collector.snapshot().node(cluster.node(2).name()).requests(NunDbCommand.GET))
                    .isZero();
            assertThat(collector
                            .snapshot()
                            .node(cluster.node(2).name())
                            .canary()
                            .requests(NunDbCommand.GET))
                    .isPositive();

            cluster.restart(2, RestartData.WIPED);
            await().atMost(WAIT).until(() -> last(collector, cluster.node(2)) == SentinelResult.MISSING);
            awaitMorePresentChecks(collector, cluster.node(1), 2);
            assertThat(last(collector, cluster.node(0))).isEqualTo(SentinelResult.PRESENT);
            assertThat(last(collector, cluster.node(1))).isEqualTo(SentinelResult.PRESENT);
            for (int i = 0; i < 2; i++) {
                SimulatedNode n = cluster.node(i);
                assertThat(checks(collector, n, SentinelResult.MISSING)
                                + checks(collector, n, SentinelResult.DIFFERENT))
                        .as(n.name())
                        .isZero();
            }
            // The wiped node is up, a secondary, and still passes the canary: nothing else flags it.
            assertThat(collector.snapshot().node(cluster.node(2).name()).up()).isTrue();

            // Rebuilt from the primary: a restart with a full resync (which mangles the value, spec §5.7).
            cluster.restart(2, RestartData.RESYNCED);
            await().atMost(WAIT).until(() -> last(collector, cluster.node(2)) == SentinelResult.PRESENT);
        }
    }

    @Test
    void memberRejoiningWithoutEvenTheCanaryDatabaseIsMissing() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = collector(cluster)) {
            awaitAllPresent(cluster, collector);

            cluster.restart(1, RestartData.WIPED_WITHOUT_DATABASES);
            await().atMost(WAIT).until(() -> last(collector, cluster.node(1)) == SentinelResult.MISSING);
            awaitMorePresentChecks(collector, cluster.node(2), 2);
            assertThat(last(collector, cluster.node(2))).isEqualTo(SentinelResult.PRESENT);
            assertThat(checks(collector, cluster.node(2), SentinelResult.MISSING))
                    .isZero();
        }
    }

    @Test
    void restartWithItsOldDataResetsTheOpLogButKeepsTheSentinelPresent() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = collector(cluster)) {
            awaitAllPresent(cluster, collector);
            SimulatedNode node = cluster.node(2);
            await().atMost(WAIT).until(() -> opLogCount(collector, node) > 0);

            cluster.restart(2, RestartData.KEPT);
            // The op log restarted from 0 (a lower op_log_count than before) ...
            await().atMost(WAIT)
                    .until(() -> opLogCount(collector, node) >= 0
                            && opLogCount(collector, node) < opLogCount(collector, cluster.node(1)));
            // ... and the checks after the restart all found the sentinel: not data loss.
            awaitMorePresentChecks(collector, node, 3);
            assertThat(checks(collector, node, SentinelResult.MISSING)).isZero();
            assertThat(checks(collector, node, SentinelResult.DIFFERENT)).isZero();
            assertThat(last(collector, node)).isEqualTo(SentinelResult.PRESENT);
        }
    }

    @Test
    void sentinelWrittenOnceIsKeptAcrossRoundsAndAnExporterRestart() throws IOException {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start()) {
            String written;
            try (ClusterCollector collector = collector(cluster)) {
                awaitAllPresent(cluster, collector);
                written = get(cluster.node(0));
                awaitMorePresentChecks(collector, cluster.node(1), 3);
                assertThat(get(cluster.node(0))).isEqualTo(written);
            }
            assertThat(written).matches("written-at \\d{13}");
            // A second exporter process finds the sentinel and checks against it without writing another.
            try (ClusterCollector collector = collector(cluster)) {
                awaitAllPresent(cluster, collector);
            }
            assertThat(get(cluster.node(0))).isEqualTo(written);
            assertThat(get(cluster.node(2))).isEqualTo(written);
        }
    }

    /** The sentinel's value on {@code node}, read as a client would. */
    private static String get(SimulatedNode node) throws IOException {
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).isEqualTo("ok ");
            out.write("auth nun nun-pwd\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("valid auth");
            assertThat(in.readLine()).isEqualTo("ok ");
            out.write("use-db canarydb canary-token\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("ok ");
            out.write(("get " + CanaryConfig.SENTINEL_KEY + "\n").getBytes(StandardCharsets.UTF_8));
            String value = in.readLine();
            assertThat(value).startsWith("value ");
            assertThat(in.readLine()).isEqualTo("ok ");
            return value.substring("value ".length());
        }
    }

    private static long opLogCount(ClusterCollector collector, SimulatedNode node) {
        NodeSnapshot s = collector.snapshot().node(node.name());
        return s == null || !s.up() || s.metrics() == null ? -1 : s.metrics().opLogCount();
    }
}
