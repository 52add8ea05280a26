package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pending-ops classification (waiting vs orphaned) against the simulated cluster. */
// "try": resources that are only held for the block (a write load held open for the block).
@SuppressWarnings("try")
class PendingOpsSimulatedTest {

    static ClientConfig.Builder clientConfig(SimulatedCluster cluster) {
        Map<String, String> map = new LinkedHashMap<>();
        for (SimulatedNode n : cluster.nodes()) {
            map.put(n.name(), "127.0.0.1:" + n.port());
        }
        return ClientConfig.builder()
                .seeds(List.of("127.0.0.1:" + cluster.node(0).port()))
                .addressMap(map)
                .user("nun")
                .password(() -> "nun-pwd")
                .pollInterval(Duration.ofMillis(150))
                .requestTimeout(Duration.ofMillis(300))
                .hardTimeout(Duration.ofMillis(600))
                .connectTimeout(Duration.ofMillis(500))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .pendingInterval(Duration.ofMillis(200));
    }

    private static PendingOpsSnapshot.Member member(ClusterCollector collector, String primary, String member) {
        NodeSnapshot p = collector.snapshot().node(primary);
        if (p == null || !p.up() || p.pendingOps() == null) {
            return null;
        }
        return p.pendingOps().members().get(member);
    }

    static String describe(ClusterCollector collector) {
        StringBuilder sb = new StringBuilder();
        for (NodeSnapshot n : collector.snapshot().nodes()) {
            sb.append(n)
                    .append(' ')
                    .append(n.view())
                    .append(' ')
                    .append(n.pendingOps())
                    .append('\n');
        }
        return sb.toString();
    }

    @Test
    void hungSecondaryHasWaitingEntriesThatBecomeOrphanedWhenItIsKilledAndRestarted() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                ClusterCollector collector = new ClusterCollector(
                        clientConfig(cluster).build(), null, TimeSource.SYSTEM, RequestTimingConfig.defaults());
                AutoCloseable load = cluster.startWriteLoad("demo", "demo-token", 20)) {
            collector.start();
            String primary = cluster.node(0).name();
            String hung = cluster.node(2).name();
            await().untilAsserted(() -> assertThat(collector.snapshot().membersUp())
                    .as(() -> describe(collector))
                    .isEqualTo(3));

            cluster.node(2).stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                PendingOpsSnapshot.Member m = member(collector, primary, hung);
                return m != null && m.waiting() >= 3 && m.orphaned() == 0 && m.oldestWaitingOpIdNanos() > 0;
            });

            cluster.kill(2);
            cluster.restart(2);
            // The restarted member acks slowly, so that new entries stay pending long enough to be seen.
            cluster.node(2).replicationDelay(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                PendingOpsSnapshot.Member m = member(collector, primary, hung);
                return m != null && m.orphaned() >= 3 && m.waiting() >= 1;
            });
            NodeSnapshot restarted = collector.snapshot().node(hung);
            PendingOpsSnapshot.Member m = member(collector, primary, hung);
            assertThat(m.oldestWaitingOpIdNanos() / 1_000_000L)
                    .isGreaterThanOrEqualTo(restarted.processStartEpochMillis());
            // The healthy secondary acks everything: nothing orphaned for it.
            PendingOpsSnapshot.Member healthy =
                    member(collector, primary, cluster.node(1).name());
            assertThat(healthy == null ? 0 : healthy.orphaned()).isZero();
        }
    }
}
