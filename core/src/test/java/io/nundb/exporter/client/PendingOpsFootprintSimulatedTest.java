package io.nundb.exporter.client;

import static io.nundb.exporter.client.PendingOpsSimulatedTest.clientConfig;
import static io.nundb.exporter.client.PendingOpsSimulatedTest.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How often the exporter asks the primary {@code debug pending-ops} (Nun-db logs each reply whole, user keys
 * and values included), counted as the requests the simulated primary received: steady orphaned entries are
 * read once, then again only after a change or {@code --pending.max-age}.
 */
// "try": a write load only held for the block.
@SuppressWarnings("try")
class PendingOpsFootprintSimulatedTest {
    private static final String PENDING = "debug pending-ops";

    @Test
    void steadyOrphanedEntriesAreReadOnceThenAgainOnlyAfterAChange() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = new ClusterCollector(
                        clientConfig(cluster).pendingMaxAge(Duration.ofHours(1)).build(),
                        null,
                        TimeSource.SYSTEM,
                        RequestTimingConfig.defaults())) {
            collector.start();
            SimulatedNode primary = cluster.node(0);
            orphanFiveWritesOn(cluster, collector, 2);

            awaitPolls(primary, 20); // the view and the rejoined member's start settle
            long reads = primary.commandsReceived(PENDING);
            assertThat(reads).isPositive();
            awaitPolls(primary, 40);
            assertThat(primary.commandsReceived(PENDING))
                    .as("steady orphans, pending interval 200ms, 40 polls")
                    .isEqualTo(reads);

            // A change (five more orphans, for another member, and a new view) is read at once.
            orphanFiveWritesOn(cluster, collector, 1);
            assertThat(primary.commandsReceived(PENDING)).isGreaterThan(reads);
        }
    }

    @Test
    void steadyOrphanedEntriesAreReadAgainAfterTheMaxAge() throws Exception {
        Duration maxAge = Duration.ofSeconds(2);
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = new ClusterCollector(
                        clientConfig(cluster).pendingMaxAge(maxAge).build(),
                        null,
                        TimeSource.SYSTEM,
                        RequestTimingConfig.defaults())) {
            collector.start();
            SimulatedNode primary = cluster.node(0);
            orphanFiveWritesOn(cluster, collector, 2);
            awaitPolls(primary, 20);

            long start = System.nanoTime();
            long reads = primary.commandsReceived(PENDING);
            await().atMost(Duration.ofSeconds(60)).until(() -> primary.commandsReceived(PENDING) >= reads + 2);
            long more = primary.commandsReceived(PENDING) - reads;
            double elapsedSeconds = (System.nanoTime() - start) / 1e9;
            // Never more often than the max age while nothing changes (a slow machine only reads less often).
            assertThat((double) more).isLessThanOrEqualTo(elapsedSeconds / maxAge.toSeconds() + 1);
            PendingOpsSnapshot.Member m = collector
                    .snapshot()
                    .node(primary.name())
                    .pendingOps()
                    .members()
                    .get(cluster.node(2).name());
            assertThat(m.orphaned()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void steadyWaitingEntriesAreStillReadEveryPendingInterval() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = new ClusterCollector(
                        clientConfig(cluster).pendingMaxAge(Duration.ofHours(1)).build(),
                        null,
                        TimeSource.SYSTEM,
                        RequestTimingConfig.defaults())) {
            collector.start();
            SimulatedNode primary = cluster.node(0);
            String hung = cluster.node(2).name();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> collector.snapshot().membersUp() == 3);
            // A hung member (connection open, no ack): entries wait for it; their age drives an alert.
            cluster.node(2).stop();
            try (AutoCloseable load = cluster.startWriteLoad("demo", "demo-token", 20)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    NodeSnapshot p = collector.snapshot().node(primary.name());
                    PendingOpsSnapshot.Member m = p.pendingOps() == null
                            ? null
                            : p.pendingOps().members().get(hung);
                    return m != null && m.waiting() >= 3;
                });
            }
            awaitPolls(primary, 5); // the load stopped: pending_ops stays the same from here
            long reads = primary.commandsReceived(PENDING);
            await().atMost(Duration.ofSeconds(60)).until(() -> primary.commandsReceived(PENDING) >= reads + 3);
            cluster.node(2).resume();
        }
    }

    /**
     * Kills member {@code index} with five writes racing the kill, restarts it and waits until the
     * exporter sees the five entries orphaned for it on the primary (spec Appendix C).
     */
    private static void orphanFiveWritesOn(SimulatedCluster cluster, ClusterCollector collector, int index) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(collector.snapshot().membersUp())
                        .as(() -> describe(collector))
                        .isEqualTo(3));
        String member = cluster.node(index).name();
        String primary = cluster.node(0).name();
        cluster.killRacingWrites(index, "race" + index, "race-token", 5);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !collector.snapshot().node(member).up());
        cluster.restart(index);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            NodeSnapshot p = collector.snapshot().node(primary);
            NodeSnapshot m = collector.snapshot().node(member);
            assertThat(m.up()).isTrue();
            assertThat(p.pendingOps()).as(() -> describe(collector)).isNotNull();
            PendingOpsSnapshot.Member orphans = p.pendingOps().members().get(member);
            assertThat(orphans).as(() -> describe(collector)).isNotNull();
            assertThat(orphans.orphaned()).isGreaterThanOrEqualTo(5); // and the create-db
        });
    }

    /** Waits until {@code node} answered {@code n} more {@code metrics-state} polls. */
    private static void awaitPolls(SimulatedNode node, int n) {
        long target = node.commandsReceived("metrics-state") + n;
        await().atMost(Duration.ofSeconds(60)).until(() -> node.commandsReceived("metrics-state") >= target);
    }
}
