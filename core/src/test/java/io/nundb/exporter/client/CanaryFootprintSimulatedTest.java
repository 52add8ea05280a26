package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The canary's connections reconnect only when they must: each {@code use-db} makes Nun-db log the canary
 * token (spec Appendix C), counted here as the {@code use-db} requests each simulated node received.
 */
class CanaryFootprintSimulatedTest {

    private static long samples(ClusterCollector collector, SimulatedNode node) {
        NodeSnapshot s = collector.snapshot().node(node.name());
        CanarySnapshot c = s == null ? null : s.canary();
        return c == null || c.lag() == null ? 0 : c.lag().count();
    }

    private static void awaitWrites(SimulatedNode primary, int n) {
        long target = primary.commandsReceived("set") + n;
        await().atMost(Duration.ofSeconds(60)).until(() -> primary.commandsReceived("set") >= target);
    }

    @Test
    void canaryConnectionsSelectTheirDatabaseOnceAcrossTicksViewChangesAndLateReplies() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                // Polls every second, so that a primary slower than the request timeout stays up for 3 s.
                ClusterCollector collector = new ClusterCollector(
                        PendingOpsSimulatedTest.clientConfig(cluster)
                                .pollInterval(Duration.ofSeconds(1))
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
            SimulatedNode primary = cluster.node(0);
            SimulatedNode watcher = cluster.node(1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> samples(collector, watcher) > 0 && samples(collector, cluster.node(2)) > 0);
            long primaryUseDb = primary.commandsReceived("use-db");
            long watcherUseDb = watcher.commandsReceived("use-db");

            // Canary ticks.
            awaitWrites(primary, 20);
            // A view change: the other secondary dies and comes back.
            cluster.kill(2);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            !collector.snapshot().node(cluster.node(2).name()).up());
            cluster.restart(2);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> collector.snapshot().membersUp() == 3);
            // Late replies: the primary answers after the request timeout (300 ms), within the hard timeout.
            primary.slowReplies(Duration.ofMillis(450));
            awaitWrites(primary, 3);
            primary.slowReplies(Duration.ZERO);
            long seen = samples(collector, watcher);
            await().atMost(Duration.ofSeconds(30)).until(() -> samples(collector, watcher) > seen);

            assertThat(primary.commandsReceived("use-db")).isEqualTo(primaryUseDb);
            assertThat(watcher.commandsReceived("use-db")).isEqualTo(watcherUseDb);
        }
    }

    @Test
    void aCanaryDatabaseThatNeverComesIsAskedForLessAndLessOften() {
        Duration interval = Duration.ofMillis(100);
        // A standalone node is never written (skipped standalone), so its canary database never exists.
        try (SimulatedCluster cluster = SimulatedCluster.builder().size(1).start();
                ClusterCollector collector = new ClusterCollector(
                        PendingOpsSimulatedTest.clientConfig(cluster).build(),
                        null,
                        TimeSource.SYSTEM,
                        RequestTimingConfig.defaults(),
                        new CanaryConfig(
                                "canarydb", "canary", () -> "canary-token", interval, Duration.ofSeconds(5), "me"))) {
            long start = System.nanoTime();
            collector.start();
            SimulatedNode node = cluster.node(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> node.commandsReceived("use-db") >= 5);
            double intervals = (System.nanoTime() - start) / (double) interval.toNanos();
            // Doubling delays: n retries take at least 2^(n-1) - 1 intervals (one per interval would be ~intervals).
            assertThat((double) node.commandsReceived("use-db"))
                    .isLessThanOrEqualTo(Math.log(intervals + 1) / Math.log(2) + 2);
            assertThat(collector.snapshot().canary().skipped(io.nundb.exporter.model.CanarySkipReason.STANDALONE))
                    .isPositive();
        }
    }
}
