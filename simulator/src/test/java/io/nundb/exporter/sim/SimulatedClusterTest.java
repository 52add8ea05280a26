package io.nundb.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

// "try": resources that are only held for the block (a write load held open for the block).
@SuppressWarnings("try")
class SimulatedClusterTest {

    private static SimulatedCluster.Builder cluster() {
        return SimulatedCluster.builder().processIdBase(1_700_000_000_000L);
    }

    private static LineClient dbSession(SimulatedNode node) throws IOException {
        LineClient c = LineClient.authed(node);
        assertThat(c.request("use-db demo demo-pwd\n")).isEqualTo("ok \n");
        return c;
    }

    private static void createDemo(SimulatedCluster cluster) throws IOException {
        try (LineClient c = LineClient.authed(cluster.node(0))) {
            assertThat(c.request("create-db demo demo-pwd\n")).isEqualTo("create-db success\nok \n");
        }
        for (SimulatedNode n : cluster.nodes()) {
            await().until(() -> n.metricsState().opLogCount() == 1);
        }
    }

    @Test
    void nodeNamesDifferFromListenAddresses() {
        try (SimulatedCluster cluster = cluster().start()) {
            assertThat(cluster.node(0).name()).isEqualTo("nundb-0.sim:3014");
            assertThat(cluster.node(0).address().getHostString()).isEqualTo("127.0.0.1");
            assertThat(cluster.node(0).view())
                    .containsOnlyKeys("nundb-0.sim:3014", "nundb-1.sim:3014", "nundb-2.sim:3014");
            assertThat(cluster.primary()).isSameAs(cluster.node(0));
        }
    }

    @Test
    void setOnPrimaryReachesWatcherOnEachSecondaryAfterTheInjectedDelay() throws IOException {
        try (SimulatedCluster cluster =
                cluster().replicationDelay(Duration.ofMillis(50)).start()) {
            createDemo(cluster);
            try (LineClient writer = dbSession(cluster.node(0));
                    LineClient w1 = dbSession(cluster.node(1));
                    LineClient w2 = dbSession(cluster.node(2))) {
                w1.request("watch k\n");
                w2.request("watch k\n");
                long t0 = System.nanoTime();
                assertThat(writer.request("set k hello world\n")).isEqualTo("ok \n");
                assertThat(w1.readLine()).isEqualTo("changed k hello world\n");
                assertThat(w2.readLine()).isEqualTo("changed k hello world\n");
                assertThat((System.nanoTime() - t0) / 1_000_000L).isGreaterThanOrEqualTo(50);
                assertThat(w1.readLine()).isEqualTo("changed-version k 0 hello world\n");
                await().until(() -> cluster.node(0).metricsState().pendingOps() == 0);
                // Two whole-ms samples (one per secondary ack) of at least the 50 ms delay.
                assertThat(cluster.node(0).metricsState().replicationTimeEmaMillis())
                        .isBetween(50.0, 1000.0);
                for (SimulatedNode n : cluster.nodes()) {
                    await().until(() -> n.metricsState().opLogFileSizeBytes() == 50);
                }
            }
        }
    }

    @Test
    void killedSecondaryVanishesFromEveryViewAndLeavesAPendingPlateau() throws IOException {
        try (SimulatedCluster cluster = cluster().start()) {
            createDemo(cluster);
            cluster.node(2).replicationDelay(Duration.ofSeconds(30));
            try (LineClient writer = dbSession(cluster.node(0))) {
                writer.request("set a 1\n");
                writer.request("set a 2\n");
                cluster.kill(2);
                // NIO closes a registered listen socket once its key is deregistered: allow that hop.
                await().untilAsserted(() -> assertThatThrownBy(
                                () -> new Socket("127.0.0.1", cluster.node(2).port()).close())
                        .isInstanceOf(ConnectException.class));
                await().atMost(Duration.ofSeconds(1))
                        .until(() -> !cluster.node(0).view().containsKey("nundb-2.sim:3014")
                                && !cluster.node(1).view().containsKey("nundb-2.sim:3014"));
                await().until(() -> cluster.node(0).metricsState().pendingOps() == 2);
                writer.request("set a 3\n");
                await().until(() -> cluster.node(1).metricsState().opLogCount() == 4);
                await().until(() -> cluster.node(0).metricsState().pendingOps() == 2);
            }
        }
    }

    @Test
    void hungSecondaryMakesPendingGrowByOnePerWriteUntilResumed() throws IOException {
        try (SimulatedCluster cluster = cluster().size(2).start()) {
            createDemo(cluster);
            SimulatedNode secondary = cluster.node(1);
            secondary.stop();
            try (LineClient writer = dbSession(cluster.node(0))) {
                for (int i = 1; i <= 4; i++) {
                    writer.request("set h" + i + " v\n");
                    int expected = i;
                    await().until(() -> cluster.node(0).metricsState().pendingOps() == expected);
                }
                assertThat(cluster.node(0).view()).containsKey(secondary.name());
                Socket s = new Socket("127.0.0.1", secondary.port());
                s.setSoTimeout(200);
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                secondary.resume();
                s.setSoTimeout(2000);
                assertThat(new String(s.getInputStream().readNBytes(4))).isEqualTo("ok \n");
                s.close();
                await().until(() -> cluster.node(0).metricsState().pendingOps() == 0);
                assertThat(cluster.node(0).metricsState().replicationTimeEmaMillis())
                        .isGreaterThan(0.0);
            }
        }
    }

    @Test
    void failoverElectsTheOldestSurvivorAndFreezesTheLosersReplicationEma() throws IOException {
        try (SimulatedCluster cluster =
                cluster().electionWindow(Duration.ofMillis(150)).start()) {
            createDemo(cluster);
            cluster.kill(0);
            await().atMost(Duration.ofSeconds(1))
                    .until(() -> cluster.node(1)
                            .view()
                            .equals(java.util.Map.of(
                                    "nundb-1.sim:3014", "Secoundary", "nundb-2.sim:3014", "Secoundary")));
            // At most its own election candidate entry is pending (until node 2 acks it, which may
            // already have happened on a busy machine).
            assertThat(cluster.node(1).metricsState().pendingOps()).isLessThanOrEqualTo(1);
            await().until(() -> "Primary".equals(cluster.node(1).role()));
            assertThat(cluster.node(2).view()).containsEntry("nundb-1.sim:3014", "Primary");
            assertThat(cluster.primary()).isSameAs(cluster.node(1));
            await().until(() -> cluster.node(2).metricsState().pendingOps() == 0);
            double frozen = cluster.node(2).metricsState().replicationTimeEmaMillis();
            assertThat(frozen).isGreaterThan(0.0);
            try (LineClient writer = dbSession(cluster.node(1))) {
                writer.request("set after failover\n");
                await().until(() -> cluster.node(2).metricsState().opLogCount() == 2);
            }
            assertThat(cluster.node(2).metricsState().replicationTimeEmaMillis())
                    .isEqualTo(frozen);
        }
    }

    @Test
    void heldElectionKeepsTheClusterWithoutAPrimaryUntilReleased() {
        try (SimulatedCluster cluster =
                cluster().electionWindow(Duration.ofMillis(50)).start()) {
            cluster.holdElections(true);
            cluster.kill(0);
            await().atMost(Duration.ofSeconds(1))
                    .until(() -> cluster.node(1)
                            .view()
                            .equals(java.util.Map.of(
                                    "nundb-1.sim:3014", "Secoundary", "nundb-2.sim:3014", "Secoundary")));
            // Many election windows pass without a winner.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> cluster.primary() == null);
            cluster.holdElections(false);
            await().atMost(Duration.ofSeconds(1)).until(() -> cluster.primary() == cluster.node(1));
            assertThat(cluster.node(2).view()).containsEntry("nundb-1.sim:3014", "Primary");
        }
    }

    @Test
    void aClusterStartedOnAClosedClustersPortsTakesTheirPlace() {
        List<Integer> ports = new ArrayList<>();
        try (SimulatedCluster first = cluster().start()) {
            for (SimulatedNode n : first.nodes()) {
                ports.add(n.port());
            }
        }
        SimulatedCluster.Builder b = cluster().startupSplitBrain(true);
        for (int i = 0; i < ports.size(); i++) {
            b.port(i, ports.get(i));
        }
        try (SimulatedCluster second = b.start()) {
            assertThat(second.nodes()).extracting(SimulatedNode::port).containsExactlyElementsOf(ports);
            await().until(() -> "Primary".equals(second.node(0).role())
                    && "Primary".equals(second.node(2).role()));
        }
        assertThatThrownBy(() -> cluster().port(0, 70000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void restartedNodeRejoinsAsSecondaryWithANewProcessAndACatchUp() throws IOException {
        try (SimulatedCluster cluster = cluster().start()) {
            createDemo(cluster);
            try (LineClient writer = dbSession(cluster.node(0))) {
                writer.request("set rs1 hello world\n");
            }
            long before = cluster.node(2).processId();
            cluster.kill(2);
            await().until(() -> !cluster.node(0).view().containsKey("nundb-2.sim:3014"));
            cluster.restart(2);
            assertThat(cluster.node(2).processId()).isGreaterThan(before);
            assertThat(cluster.node(2).role()).isEqualTo("Secoundary");
            assertThat(cluster.node(0).view()).containsEntry("nundb-2.sim:3014", "Secoundary");
            try (LineClient c = dbSessionAwait(cluster.node(2))) {
                // Known resync bug (§5.7): the first word of the value becomes the version.
                assertThat(c.request("get-safe rs1\n")).isEqualTo("value-version 0 world\nok \n");
            }
        }
    }

    private static LineClient dbSessionAwait(SimulatedNode node) throws IOException {
        LineClient c = LineClient.authed(node);
        await().until(() -> c.request("use-db demo demo-pwd\n").equals("ok \n"));
        return c;
    }

    /**
     * Restarts racing the failover timeline. Before the fix, a restart held the cluster's monitor while it
     * waited on a node's event loop, and the timeline's vanish task waited for that monitor on the loop:
     * each collision stalled both for the 5 s hop timeout and the restart failed.
     */
    @Test
    void restartsRacingTheFailoverTimelineNeverStallALoop() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SimulatedCluster cluster = cluster()
                .size(4)
                .threads(2)
                .vanishDelay(Duration.ZERO)
                .electionWindow(Duration.ZERO)
                .start()) {
            for (int round = 0; round < 30; round++) {
                Future<?> a = pool.submit(() -> cluster.node(2).restart());
                Future<?> b = pool.submit(() -> cluster.node(3).restart());
                a.get(3, TimeUnit.SECONDS);
                b.get(3, TimeUnit.SECONDS);
            }
            await().untilAsserted(() -> assertThat(cluster.node(0).view())
                    .containsOnlyKeys("nundb-0.sim:3014", "nundb-1.sim:3014", "nundb-2.sim:3014", "nundb-3.sim:3014"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writesOnASecondaryAreAppliedLocallyForwardedAndEchoed() throws IOException {
        try (SimulatedCluster cluster = cluster().start()) {
            createDemo(cluster);
            try (LineClient sec = dbSession(cluster.node(1));
                    LineClient other = dbSession(cluster.node(2))) {
                other.request("watch wk\n");
                sec.request("watch wk\n");
                assertThat(sec.request("set wk fromsec\n"))
                        .isEqualTo("changed wk fromsec\nchanged-version wk 0 fromsec\nok \n");
                assertThat(sec.readLine()).isEqualTo("changed wk fromsec\n");
                assertThat(sec.readLine()).isEqualTo("changed-version wk 1 fromsec\n");
                assertThat(other.readLine()).isEqualTo("changed wk fromsec\n");
                assertThat(other.readLine()).isEqualTo("changed-version wk 0 fromsec\n");
            }
        }
    }

    @Test
    void startupSplitBrainHasTwoNodesClaimingPrimary() {
        try (SimulatedCluster cluster = cluster().startupSplitBrain(true).start()) {
            await().until(() -> "Primary".equals(cluster.node(2).role()));
            assertThat(cluster.node(0).role()).isEqualTo("Primary");
            assertThat(cluster.node(0).metricsState().pendingOps()).isEqualTo(1);
        }
    }

    @Test
    void hundredNodesStartAndAnswerOnLoopback() throws IOException {
        try (SimulatedCluster cluster = cluster().size(100).start()) {
            List<LineClient> clients = new ArrayList<>();
            try {
                for (SimulatedNode n : cluster.nodes()) {
                    clients.add(LineClient.authed(n));
                }
                for (LineClient c : clients) {
                    assertThat(c.request("debug nonsense\n")).isEqualTo("ok \n");
                }
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
            assertThat(cluster.node(99).connectionsAccepted()).isEqualTo(1);
            assertThat(cluster.node(99).commandsReceived()).isEqualTo(2);
        }
    }

    @Test
    void writeLoadWritesOnThePrimary() {
        try (SimulatedCluster cluster = cluster().start()) {
            try (AutoCloseable load = cluster.startWriteLoad("demo", "demo-pwd", 200)) {
                await().until(() -> cluster.node(2).metricsState().opLogCount() >= 10);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
