package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.CanaryIgnoreReason;
import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.CanaryTotals;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The replication canary end to end against the simulated cluster. */
class CanarySimulatedTest {
    private static final String TOKEN = "canary-token";
    private static final Duration DELAY = Duration.ofMillis(80);
    /**
     * One bound just under the injected delay, one at delay + 15 ms; a 3 s quantile window, so that the
     * median is taken after the JVM warmed up.
     */
    private static final RequestTimingConfig TIMING = RequestTimingConfig.builder()
            .bucketUpperBoundsSeconds(0.001, 0.005, 0.02, 0.0799, 0.095, 1, 10)
            .window(Duration.ofSeconds(3))
            .windowSubIntervals(3)
            .build();

    private static CanaryConfig canary(Duration interval, Duration timeout) {
        return new CanaryConfig("canarydb", "canary", () -> TOKEN, interval, timeout, "me");
    }

    private static ClusterCollector collector(SimulatedCluster cluster, CanaryConfig canary) {
        ClientConfig config = PendingOpsSimulatedTest.clientConfig(cluster)
                .pollInterval(Duration.ofMillis(100))
                .build();
        ClusterCollector c = new ClusterCollector(config, null, TimeSource.SYSTEM, TIMING, canary);
        c.start();
        return c;
    }

    private static CanarySnapshot canaryOf(ClusterCollector collector, SimulatedNode node) {
        NodeSnapshot s = collector.snapshot().node(node.name());
        return s == null ? null : s.canary();
    }

    private static long samples(ClusterCollector collector, SimulatedNode node) {
        CanarySnapshot c = canaryOf(collector, node);
        return c == null || c.lag() == null ? 0 : c.lag().count();
    }

    private static CanaryTotals totals(ClusterCollector collector) {
        return collector.snapshot().canary();
    }

    /** Samples at or below the bound at {@code index} (cumulative). */
    private static long atOrBelow(RequestTimingSnapshot t, int index) {
        long n = 0;
        for (int i = 0; i <= index; i++) {
            n += t.bucketCounts()[i];
        }
        return n;
    }

    @Test
    void delayedMemberLagsByAtLeastTheInjectedDelayAndTheOthersDoNot() {
        try (SimulatedCluster cluster =
                        SimulatedCluster.builder().replicationDelay(2, DELAY).start();
                ClusterCollector collector =
                        collector(cluster, canary(Duration.ofMillis(100), Duration.ofSeconds(5)))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            samples(collector, cluster.node(2)) >= 50 && samples(collector, cluster.node(1)) >= 50);

            RequestTimingSnapshot delayed = canaryOf(collector, cluster.node(2)).lag();
            // Every sample of the delayed member is at least the injected delay (none at or below 79.9 ms) ...
            assertThat(atOrBelow(delayed, 3))
                    .as(() -> java.util.Arrays.toString(delayed.bucketCounts()) + " healthy "
                            + java.util.Arrays.toString(
                                    canaryOf(collector, cluster.node(1)).lag().bucketCounts()))
                    .isZero();
            // ... and its median at most the delay + 15 ms.
            assertThat(delayed.windowP50Seconds())
                    .as(() -> "healthy p50 "
                            + canaryOf(collector, cluster.node(1)).lag().windowP50Seconds() + " max "
                            + canaryOf(collector, cluster.node(1)).lag().windowMaxSeconds() + " delayed "
                            + java.util.Arrays.toString(delayed.bucketCounts()) + " max " + delayed.windowMaxSeconds())
                    .isLessThanOrEqualTo(0.095 * 1.01);
            RequestTimingSnapshot healthy = canaryOf(collector, cluster.node(1)).lag();
            // The other secondary is not delayed: its median is far below the delay (single samples can be
            // slow on a loaded machine, so the bound is on the median).
            assertThat(healthy.windowP50Seconds()).isLessThan(DELAY.toNanos() / 2e9);

            // The primary takes the writes: no lag samples of its own, and it wrote every canary.
            CanarySnapshot primary = canaryOf(collector, cluster.node(0));
            assertThat(primary.lag()).isNull();
            assertThat(primary.requests(NunDbCommand.SET)).isGreaterThanOrEqualTo(20);
            assertThat(primary.requests(NunDbCommand.CREATE_DB)).isEqualTo(1);
            CanarySnapshot member = canaryOf(collector, cluster.node(2));
            assertThat(member.requests(NunDbCommand.SET)).isZero();
            assertThat(member.lost()).isZero();
            assertThat(member.lastLagSeconds()).isGreaterThanOrEqualTo(0.08);
            assertThat(member.currentLagSeconds()).isGreaterThanOrEqualTo(member.lastLagSeconds());
            assertThat(member.lastAppliedEpochMillis()).isPositive();
            assertThat(totals(collector).writes()).isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void canaryNotSeenWithinTheTimeoutIsLostAndRaisesTheCurrentLag() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector =
                        collector(cluster, canary(Duration.ofMillis(100), Duration.ofMillis(500)))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> samples(collector, cluster.node(2)) >= 3);

            // Node 2 stays up and in the primary's view, but replication to it now takes 30 s.
            cluster.node(2).replicationDelay(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> canaryOf(collector, cluster.node(2)).lost() >= 3);
            CanarySnapshot stuck = canaryOf(collector, cluster.node(2));
            assertThat(stuck.currentLagSeconds()).isGreaterThan(stuck.lastLagSeconds());
            assertThat(collector.snapshot().node(cluster.node(2).name()).up()).isTrue();
            assertThat(canaryOf(collector, cluster.node(1)).lost()).isZero();
        }
    }

    @Test
    void failoverSkipsCanariesInsteadOfLosingThemAndTheCanaryFollowsTheNewPrimary() {
        try (SimulatedCluster cluster = SimulatedCluster.builder()
                        .electionWindow(Duration.ofMillis(600))
                        .start();
                ClusterCollector collector =
                        collector(cluster, canary(Duration.ofMillis(100), Duration.ofMillis(1500)))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> samples(collector, cluster.node(2)) >= 5);
            long beforeSkips = totals(collector).skipped(CanarySkipReason.NO_PRIMARY);

            cluster.kill(0);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> totals(collector).skipped(CanarySkipReason.NO_PRIMARY) > beforeSkips);
            long newPrimaryWrites = canaryOf(collector, cluster.node(1)).requests(NunDbCommand.SET);
            long samplesAfter = samples(collector, cluster.node(2));
            // The new primary (node 1, the oldest survivor) writes; node 2 keeps receiving.
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            canaryOf(collector, cluster.node(1)).requests(NunDbCommand.SET) >= newPrimaryWrites + 20
                                    && samples(collector, cluster.node(2)) >= samplesAfter + 20);
            // 20 writes at 100 ms are more than the 1.5 s timeout after the failover: nothing was lost.
            assertThat(canaryOf(collector, cluster.node(1)).lost()).isZero();
            assertThat(canaryOf(collector, cluster.node(2)).lost()).isZero();
            assertThat(canaryOf(collector, cluster.node(2)).requests(NunDbCommand.SET))
                    .isZero();
        }
    }

    @Test
    void valuesOfOtherExporterInstancesAndUnparsableValuesAreIgnoredAndCounted() throws IOException {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector =
                        collector(cluster, canary(Duration.ofMillis(100), Duration.ofSeconds(5)))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> samples(collector, cluster.node(1)) >= 3);
            try (Socket s = new Socket("127.0.0.1", cluster.node(0).port())) {
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                assertThat(in.readLine()).isEqualTo("ok ");
                out.write(("auth nun nun-pwd\n").getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("valid auth");
                assertThat(in.readLine()).isEqualTo("ok ");
                out.write(("use-db canarydb " + TOKEN + "\n").getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("ok ");
                out.write("set canary other.7.123\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("ok ");
                out.write("set canary mangled\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("ok ");
            }
            // Seen on each of the three watch connections.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> totals(collector).ignored(CanaryIgnoreReason.FOREIGN) == 3
                            && totals(collector).ignored(CanaryIgnoreReason.UNPARSABLE) == 3);
            long before = samples(collector, cluster.node(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> samples(collector, cluster.node(1)) > before + 3);
            assertThat(canaryOf(collector, cluster.node(1)).lost()).isZero();
        }
    }

    @Test
    void invalidTokenStopsTheCanaryWithReasonCanaryToken() throws IOException {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start()) {
            try (Socket s = new Socket("127.0.0.1", cluster.node(0).port())) {
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                assertThat(in.readLine()).isEqualTo("ok ");
                out.write("auth nun nun-pwd\ncreate-db canarydb another-token\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("valid auth");
                assertThat(in.readLine()).isEqualTo("ok ");
                assertThat(in.readLine()).isEqualTo("create-db success");
                assertThat(in.readLine()).isEqualTo("ok ");
            }
            try (ClusterCollector collector =
                    collector(cluster, canary(Duration.ofMillis(100), Duration.ofSeconds(5)))) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> totals(collector).skipped(CanarySkipReason.CANARY_TOKEN) >= 3);
                assertThat(totals(collector).writes()).isZero();
            }
        }
    }

    @Test
    void standaloneNodeGetsNoCanaryDatabase() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().size(1).start();
                ClusterCollector collector =
                        collector(cluster, canary(Duration.ofMillis(100), Duration.ofSeconds(5)))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> totals(collector).skipped(CanarySkipReason.STANDALONE) >= 3);
            assertThat(totals(collector).writes()).isZero();
            assertThat(canaryOf(collector, cluster.node(0)).requests(NunDbCommand.CREATE_DB))
                    .isZero();
        }
    }
}
