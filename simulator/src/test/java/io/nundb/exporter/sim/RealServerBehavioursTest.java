package io.nundb.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The real server's behaviours of {@code docs/nundb-protocol.md} Appendix C, each taught to the
 * simulator. Tests named {@code guess_...} pin a behaviour the observations leave open; their javadoc
 * says what was guessed.
 */
class RealServerBehavioursTest {
    private static final String N1 = "nundb-1.sim:3014";
    private static final String N2 = "nundb-2.sim:3014";

    private static SimulatedCluster startWithDemo() throws IOException {
        SimulatedCluster cluster =
                SimulatedCluster.builder().processIdBase(1_700_000_000_000L).start();
        try (LineClient c = LineClient.authed(cluster.node(0))) {
            assertThat(c.request("create-db demo demo-pwd\n")).isEqualTo("create-db success\nok \n");
            assertThat(c.request("use-db demo demo-pwd\n")).isEqualTo("ok \n");
            assertThat(c.request("set old written before\n")).isEqualTo("ok \n");
        }
        for (SimulatedNode n : cluster.nodes()) {
            await().until(() -> n.metricsState().opLogCount() == 2);
        }
        return cluster;
    }

    private static LineClient demoSession(SimulatedNode node) throws IOException {
        LineClient c = LineClient.authed(node);
        assertThat(c.request("use-db demo demo-pwd\n")).isEqualTo("ok \n");
        return c;
    }

    /**
     * Guess: the databases come back empty on the wiped node (the real one saw new canary writes at
     * once, so the canary's database existed on it); the old keys do not.
     */
    @Test
    void guess_wipedRestartRejoinsAcksNewWritesAndHoldsNoneOfTheOldKeys() throws IOException {
        try (SimulatedCluster cluster = startWithDemo()) {
            cluster.restart(2, RestartData.WIPED);
            assertThat(cluster.node(0).view()).containsEntry(N2, "Secoundary");
            assertThat(cluster.node(2).role()).isEqualTo("Secoundary");
            try (LineClient primary = demoSession(cluster.node(0))) {
                assertThat(primary.request("set fresh after\n")).isEqualTo("ok \n");
            }
            await().until(() -> cluster.node(0).metricsState().pendingOps() == 0);
            try (LineClient wiped = demoSession(cluster.node(2));
                    LineClient kept = demoSession(cluster.node(1))) {
                await().until(() -> wiped.request("get fresh\n").equals("value after\nok \n"));
                assertThat(wiped.request("get old\n")).isEqualTo("value <Empty>\nok \n");
                assertThat(kept.request("get old\n")).isEqualTo("value written before\nok \n");
            }
            // The op log restarts from the writes it saw since: lower than its peers'.
            assertThat(cluster.node(2).metricsState().opLogCount())
                    .isLessThan(cluster.node(1).metricsState().opLogCount());
        }
    }

    /**
     * Guess of the worst case: not even the databases come back, so {@code use-db} fails and a
     * {@code get} without a database gets the no-db sequence; replicated writes are still acked.
     */
    @Test
    void guess_wipedWithoutDatabasesRefusesUseDbAndStillAcksNewWrites() throws IOException {
        try (SimulatedCluster cluster = startWithDemo()) {
            cluster.restart(2, RestartData.WIPED_WITHOUT_DATABASES);
            try (LineClient primary = demoSession(cluster.node(0))) {
                assertThat(primary.request("set fresh after\n")).isEqualTo("ok \n");
            }
            await().until(() -> cluster.node(0).metricsState().pendingOps() == 0);
            try (LineClient wiped = LineClient.authed(cluster.node(2))) {
                assertThat(wiped.request("use-db demo demo-pwd\n")).isEqualTo("error Not a valid database name \n");
                assertThat(wiped.request("get old\n"))
                        .isEqualTo("error no-db-selected\nerror error no-db-selected\n \n");
                assertThat(wiped.request("debug list-dbs\n")).isEqualTo("dbs-list \n$admin : newer\nok \n");
            }
        }
    }

    /** Appendix C: a restart on the old data directory resets the op log; every key is still there. */
    @Test
    void restartWithTheOldDataResetsTheOpLogButKeepsEveryKey() throws IOException {
        try (SimulatedCluster cluster = startWithDemo()) {
            cluster.restart(2, RestartData.KEPT);
            assertThat(cluster.node(2).metricsState().opLogCount()).isZero();
            assertThat(cluster.node(1).metricsState().opLogCount()).isEqualTo(2);
            assertThat(cluster.node(0).view()).containsEntry(N2, "Secoundary");
            try (LineClient kept = demoSession(cluster.node(2))) {
                assertThat(kept.request("get old\n")).isEqualTo("value written before\nok \n");
            }
        }
    }

    /** Appendix C: lives of about a second, each accepting TCP and closing before the greeting. */
    @Test
    void crashLoopingNodeAcceptsAndClosesBeforeTheGreetingThenRefusesBetweenLives() throws Exception {
        try (SimulatedNode node = SimulatedNode.builder().build().start()) {
            long firstProcess = node.processId();
            Set<String> seen = new HashSet<>();
            Set<Long> processes = new HashSet<>();
            AutoCloseable loop =
                    node.crashLoop(Duration.ofMillis(300), Duration.ofMillis(300), CrashPoint.BEFORE_GREETING);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    processes.add(node.processId());
                    seen.add(probe(node));
                    return seen.contains("closed before greeting") && seen.contains("refused") && processes.size() > 2;
                });
            } finally {
                loop.close();
            }
            assertThat(seen).doesNotContain("greeted");
            assertThat(node.isAlive()).isFalse();
            assertThat(processes).contains(firstProcess);
            node.restart();
            try (LineClient c = LineClient.authed(node)) {
                assertThat(c.request("debug nonsense\n")).isEqualTo("ok \n");
            }
        }
    }

    /** Appendix C: a life too short for the poll: the node greets, then dies before answering auth. */
    @Test
    void crashLoopingNodeCanDieBeforeAuthCompletes() throws Exception {
        try (SimulatedNode node = SimulatedNode.builder().build().start()) {
            AutoCloseable loop = node.crashLoop(Duration.ofSeconds(30), Duration.ofMillis(100), CrashPoint.BEFORE_AUTH);
            try (LineClient c = LineClient.greeted(node.address())) {
                c.send("auth nun nun-pwd\n");
                assertThat(c.socket.getInputStream().read()).isEqualTo(-1);
            } finally {
                loop.close();
            }
        }
    }

    /** Appendix C: a survivor lists a dead secondary as Connected while the primary has dropped it. */
    @Test
    void staleViewKeepsADeadSecondaryListedOnOneSurvivorForTheHold() throws IOException {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                LineClient stale = LineClient.authed(cluster.node(1))) {
            cluster.staleView(1, Duration.ofSeconds(2));
            cluster.kill(2);
            await().until(() -> !cluster.node(0).view().containsKey(N2));
            assertThat(cluster.node(1).view()).containsKey(N2);
            assertThat(stale.request("cluster-state\n")).contains(" " + N2 + "(Connected):Secoundary,");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !cluster.node(1).view().containsKey(N2));
            assertThat(cluster.node(1).view()).containsOnlyKeys("nundb-0.sim:3014", N1);
        }
    }

    /** Appendix C: writes racing a kill stay pending on the primary, also after the member rejoins. */
    @Test
    void writesRacingAKillStayPendingOnThePrimaryAfterTheMemberRejoins() throws IOException {
        try (SimulatedCluster cluster = startWithDemo()) {
            cluster.killRacingWrites(2, "demo", "demo-pwd", 5);
            await().until(() -> cluster.node(0).metricsState().pendingOps() == 5);
            try (LineClient primary = LineClient.authed(cluster.node(0))) {
                String pending = primary.request("debug pending-ops\n");
                assertThat(pending.split("\n"))
                        .filteredOn(l -> l.contains("race-"))
                        .hasSize(5);
                assertThat(pending).contains(N2 + ":false").contains(N1 + ":true");
            }
            cluster.restart(2);
            try (LineClient primary = demoSession(cluster.node(0))) {
                assertThat(primary.request("set after-rejoin 1\n")).isEqualTo("ok \n");
            }
            await().until(() -> cluster.node(2).metricsState().opLogCount() >= 3);
            assertThat(cluster.node(0).metricsState().pendingOps()).isEqualTo(5);
        }
    }

    /** One connect: what the node did with it. */
    private static String probe(SimulatedNode node) {
        try (LineClient c = new LineClient(node.address())) {
            int first = c.socket.getInputStream().read();
            return first == -1 ? "closed before greeting" : "greeted";
        } catch (ConnectException e) {
            return "refused";
        } catch (IOException e) {
            return "reset";
        }
    }
}
