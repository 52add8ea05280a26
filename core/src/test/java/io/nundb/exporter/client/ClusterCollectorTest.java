package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.sim.Garbling;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedMetricsState;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import io.nundb.exporter.transport.Transport;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The collector against a simulated cluster on loopback, whose node names ({@code nundb-<i>.sim:3014})
 * differ from the addresses they listen on, so every dial goes through the address map. Intervals,
 * timeouts and backoff are set small; nothing depends on production defaults.
 */
// "try": resources that are only held for the block (a write load held open for the block).
@SuppressWarnings("try")
class ClusterCollectorTest {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private SimulatedCluster cluster;
    private String password;
    private ClusterCollector collector;

    @AfterEach
    void close() {
        if (collector != null) {
            collector.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private SimulatedCluster startCluster(int size) {
        password = "pwd-" + System.nanoTime();
        cluster = SimulatedCluster.builder()
                .size(size)
                .credentials("nun", password)
                .electionWindow(Duration.ofMillis(150))
                .start();
        return cluster;
    }

    private ClientConfig.Builder config(SimulatedCluster c, String password) {
        Map<String, String> map = new HashMap<>();
        for (SimulatedNode n : c.nodes()) {
            map.put(n.name(), "127.0.0.1:" + n.port());
        }
        return ClientConfig.builder()
                .seeds(List.of("127.0.0.1:" + c.node(0).port()))
                .addressMap(map)
                .user("nun")
                .password(() -> password)
                .pollInterval(POLL)
                .requestTimeout(Duration.ofMillis(300))
                .hardTimeout(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofMillis(500))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .memberRetention(Duration.ofMinutes(5))
                .pendingInterval(Duration.ofMillis(200));
    }

    private ClusterCollector start(ClientConfig config) {
        collector = new ClusterCollector(config, null, TimeSource.SYSTEM, RequestTimingConfig.defaults());
        collector.start();
        return collector;
    }

    private static NodeSnapshot node(ClusterCollector c, String name) {
        NodeSnapshot s = c.snapshot().node(name);
        assertThat(s).as("node %s is known", name).isNotNull();
        return s;
    }

    private static void assertNoPollErrors(ClusterCollector c, String name) {
        NodeSnapshot s = node(c, name);
        for (PollErrorReason r : PollErrorReason.values()) {
            assertThat(s.pollErrors(r)).as("%s errors of %s", r, name).isZero();
        }
    }

    private static boolean up(ClusterCollector c, String name) {
        NodeSnapshot s = c.snapshot().node(name);
        return s != null && s.up();
    }

    @Test
    void discoversEveryNodeFromOneSeedUnderItsOwnName() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        ClusterSnapshot s = col.snapshot();
        assertThat(s.nodes())
                .extracting(NodeSnapshot::name)
                .containsExactly("nundb-0.sim:3014", "nundb-1.sim:3014", "nundb-2.sim:3014");
        // The seed was dialled at its address and merged with the node it reports as (self).
        assertThat(s.node("nundb-0.sim:3014").seed()).isTrue();
        assertThat(s.node("nundb-0.sim:3014").view().claimsPrimary()).isTrue();
        assertThat(s.node("nundb-1.sim:3014").view().self().role()).isEqualTo(Role.SECONDARY);
        assertThat(col.firstCollectionComplete()).isTrue();
    }

    @Test
    void valuesMatchWhatTheNodeReports() throws Exception {
        SimulatedCluster c = startCluster(3);
        try (AutoCloseable load = c.startWriteLoad("demo", "demo-token", 50)) {
            await().atMost(WAIT).until(() -> c.node(1).metricsState().opLogCount() >= 20);
        }
        SimulatedMetricsState scripted =
                new SimulatedMetricsState(7, 4200, 168, 2.419368907874114, 5.723407763652384e-6);
        c.node(2).scriptMetricsState(scripted);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(node(col, "nundb-2.sim:3014").metrics())
                    .usingRecursiveComparison()
                    .isEqualTo(scripted);
            // The write load has stopped, so the op log no longer moves.
            assertThat(node(col, "nundb-1.sim:3014").metrics().opLogCount())
                    .isEqualTo(c.node(1).metricsState().opLogCount());
            assertThat(node(col, "nundb-1.sim:3014").metrics().opLogFileSizeBytes())
                    .isEqualTo(c.node(1).metricsState().opLogFileSizeBytes());
            assertThat(node(col, "nundb-0.sim:3014").databases()).isEqualTo(2); // $admin and demo
            assertThat(node(col, "nundb-1.sim:3014").processStartEpochMillis())
                    .isEqualTo(c.node(1).processId());
        });
    }

    @Test
    void aKilledSecondaryVanishesFromEveryViewYetStaysKnownAndDownAndComesBack() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        c.kill(2);
        await().atMost(WAIT).untilAsserted(() -> {
            NodeSnapshot dead = node(col, "nundb-2.sim:3014");
            assertThat(dead.up()).isFalse();
            assertThat(dead.downReason()).isIn(PollErrorReason.CLOSED, PollErrorReason.REFUSED);
            assertThat(node(col, "nundb-0.sim:3014").view().contains("nundb-2.sim:3014"))
                    .isFalse();
            assertThat(node(col, "nundb-1.sim:3014").view().contains("nundb-2.sim:3014"))
                    .isFalse();
        });
        // Stays known (retention is long) and the others stay up.
        assertNoPollErrors(col, "nundb-0.sim:3014");
        assertNoPollErrors(col, "nundb-1.sim:3014");
        assertThat(col.snapshot().nodes()).hasSize(3);
        c.restart(2);
        await().atMost(WAIT).until(() -> up(col, "nundb-2.sim:3014"));
        await().atMost(WAIT)
                .until(() -> node(col, "nundb-2.sim:3014").processStartEpochMillis()
                        == c.node(2).processId());
    }

    @Test
    void aStoppedNodeFailsOnlyItsOwnPollsWithoutAReconnectStorm() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        long okPollsOfOthers = node(col, "nundb-0.sim:3014").requests(NunDbCommand.METRICS_STATE);
        SimulatedNode stopped = c.node(1);
        long acceptedBefore = stopped.connectionsAccepted();
        stopped.stop();
        await().atMost(WAIT).until(() -> !up(col, "nundb-1.sim:3014"));
        // A silent hang: no success for 3 intervals (stale), or the request deadline passed first.
        assertThat(node(col, "nundb-1.sim:3014").downReason()).isIn(PollErrorReason.STALE, PollErrorReason.TIMEOUT);
        // Let the backoff run for two seconds: 50 ms doubling to 400 ms, each attempt also waits for the
        // 500 ms connect timeout, so at most a handful of connections may be accepted.
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
        long accepted = stopped.connectionsAccepted() - acceptedBefore;
        assertThat(accepted).as("connections accepted by the stopped node").isBetween(1L, 8L);
        // The others kept polling without a single failure (an instantaneous `up` would also depend on
        // the test machine never stalling this JVM for 3 poll intervals).
        assertNoPollErrors(col, "nundb-0.sim:3014");
        assertNoPollErrors(col, "nundb-2.sim:3014");
        assertThat(node(col, "nundb-0.sim:3014").requests(NunDbCommand.METRICS_STATE))
                .isGreaterThan(okPollsOfOthers + 5);
        stopped.resume();
        await().atMost(WAIT).until(() -> up(col, "nundb-1.sim:3014"));
    }

    @Test
    void wrongCredentialsGiveTheTypedAuthFailure() {
        SimulatedCluster c = startCluster(1);
        ClusterCollector col = start(config(c, "not-the-password").build());
        await().atMost(WAIT)
                .until(() -> col.snapshot().nodes().size() == 1
                        && col.snapshot().nodes().get(0).pollErrors(PollErrorReason.AUTH) >= 2);
        NodeSnapshot s = col.snapshot().nodes().get(0);
        assertThat(s.up()).isFalse();
        assertThat(s.downReason()).isEqualTo(PollErrorReason.AUTH);
        assertThat(s.metrics()).isNull();
        assertThat(col.firstCollectionComplete()).isTrue();
    }

    @Test
    void aGarbledReplyResetsOnlyThatConnection() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        long connects0 = node(col, "nundb-0.sim:3014").connects();
        long connects1 = node(col, "nundb-1.sim:3014").connects();
        c.node(2).garble(Garbling.STRAY_LINE);
        // A stray line cannot belong to the request at the head: that connection is reset and redialled.
        await().atMost(WAIT)
                .until(() -> node(col, "nundb-2.sim:3014").pollErrors(PollErrorReason.PROTOCOL) >= 1
                        && node(col, "nundb-2.sim:3014").connects() > 1);
        c.node(2).garble(Garbling.NONE);
        await().atMost(WAIT).until(() -> up(col, "nundb-2.sim:3014"));
        assertThat(node(col, "nundb-0.sim:3014").connects()).isEqualTo(connects0);
        assertThat(node(col, "nundb-1.sim:3014").connects()).isEqualTo(connects1);
        assertNoPollErrors(col, "nundb-0.sim:3014");
        assertNoPollErrors(col, "nundb-1.sim:3014");
    }

    @Test
    void aCorruptMetricsStateIsAProtocolFailureOfThatNodeOnly() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        c.node(1).garble(Garbling.CORRUPT_METRICS_STATE);
        await().atMost(WAIT).until(() -> !up(col, "nundb-1.sim:3014"));
        assertThat(node(col, "nundb-1.sim:3014").downReason()).isEqualTo(PollErrorReason.PROTOCOL);
        assertNoPollErrors(col, "nundb-0.sim:3014");
        assertNoPollErrors(col, "nundb-2.sim:3014");
        c.node(1).garble(Garbling.NONE);
        await().atMost(WAIT).until(() -> up(col, "nundb-1.sim:3014"));
    }

    @Test
    void failoverIsFollowed() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        assertThat(node(col, "nundb-0.sim:3014").view().claimsPrimary()).isTrue();
        c.kill(0);
        // The oldest survivor (lowest process id) wins the election.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(node(col, "nundb-0.sim:3014").up()).isFalse();
            assertThat(node(col, "nundb-1.sim:3014").view().claimsPrimary()).isTrue();
            assertThat(node(col, "nundb-2.sim:3014").view().claimsPrimary()).isFalse();
        });
        // The dead seed is never forgotten.
        assertThat(node(col, "nundb-0.sim:3014").seed()).isTrue();
    }

    @Test
    void aNameThatCannotBeDialledIsDownWithReasonUndialable() {
        SimulatedCluster c = startCluster(2);
        Map<String, String> partial =
                Map.of(c.node(0).name(), "127.0.0.1:" + c.node(0).port());
        ClusterCollector col = start(config(c, secret(c)).addressMap(partial).build());
        // nundb-1.sim:3014 does not resolve: the node is known from the view, and reported down.
        await().atMost(WAIT).untilAsserted(() -> {
            NodeSnapshot s = node(col, "nundb-1.sim:3014");
            assertThat(s.up()).isFalse();
            assertThat(s.downReason()).isEqualTo(PollErrorReason.UNDIALABLE);
        });
        assertNoPollErrors(col, "nundb-0.sim:3014");
    }

    @Test
    void lockStepPollsAreTimedWithoutTheDelayedAckStall() {
        // The simulator writes each message separately without TCP_NODELAY, as the real server does: a
        // plain client sees every status line ~40 ms late (SimulatorWriteTimingTest). Ours re-arms
        // TCP_QUICKACK after every read, so over 50 polls its median stays far below that (the bound leaves
        // room for a loaded CI machine, still under the 40 ms stall).
        SimulatedCluster c = startCluster(1);
        ClusterCollector col = start(config(c, secret(c)).build());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> col.snapshot().membersUp() == 1
                        && col.snapshot().nodes().get(0).timings().containsKey(NunDbCommand.METRICS_STATE)
                        && col.snapshot()
                                        .nodes()
                                        .get(0)
                                        .timings()
                                        .get(NunDbCommand.METRICS_STATE)
                                        .count()
                                >= 50);
        NodeSnapshot s = col.snapshot().nodes().get(0);
        RequestTimingSnapshot t = s.timings().get(NunDbCommand.METRICS_STATE);
        // Every metrics-state poll is at most one lock-step sample.
        assertThat(t.count()).isLessThanOrEqualTo(s.requests(NunDbCommand.METRICS_STATE));
        assertThat(t.windowP50Seconds()).isLessThan(0.030);
    }

    @Test
    void aTickThatFindsThePreviousPollOutstandingIsSkippedNotStacked() {
        SimulatedCluster c = startCluster(1);
        ClusterCollector col =
                start(config(c, secret(c)).requestTimeout(Duration.ofSeconds(1)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 1);
        c.node(0).slowReplies(Duration.ofMillis(250));
        await().atMost(WAIT).until(() -> col.snapshot().nodes().get(0).skippedTicks() >= 3);
        NodeSnapshot s = col.snapshot().nodes().get(0);
        // Never more than one poll cycle outstanding: requests grow with cycles, not with ticks.
        long metricsPolls = s.requests(NunDbCommand.METRICS_STATE);
        c.node(0).slowReplies(Duration.ZERO);
        assertThat(s.pollErrors(PollErrorReason.TIMEOUT)).isZero();
        assertThat(metricsPolls).isLessThan(s.skippedTicks() + 40);
        await().atMost(WAIT).until(() -> col.snapshot().nodes().get(0).up());
    }

    @Test
    void aReplyAfterItsDeadlineIsReadAndDiscardedWithoutAReconnect() {
        SimulatedCluster c = startCluster(1);
        ClusterCollector col = start(
                config(c, secret(c)).requestTimeout(Duration.ofMillis(150)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 1);
        c.node(0).slowReplies(Duration.ofMillis(250));
        await().atMost(WAIT).until(() -> col.snapshot().nodes().get(0).lateReplies() >= 2);
        NodeSnapshot s = col.snapshot().nodes().get(0);
        assertThat(s.pollErrors(PollErrorReason.TIMEOUT)).isGreaterThanOrEqualTo(2);
        assertThat(s.pollErrors(PollErrorReason.PROTOCOL)).isZero();
        c.node(0).slowReplies(Duration.ZERO);
        await().atMost(WAIT).until(() -> col.snapshot().nodes().get(0).up());
        // The late replies were matched to their abandoned requests: one connection all along.
        assertThat(col.snapshot().nodes().get(0).connects()).isEqualTo(1);
    }

    @Test
    void aStandaloneNodeInItsFirstSecondIsUpWithAnEmptyView() {
        password = "pwd-" + System.nanoTime();
        cluster = SimulatedCluster.builder()
                .size(1)
                .credentials("nun", password)
                .startupWindow(Duration.ofMillis(1500))
                .start();
        ClusterCollector col = start(config(cluster, password).build());
        // "cluster-state \n" during the start-up window is normal, not a failure.
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 1);
        NodeSnapshot early = col.snapshot().nodes().get(0);
        assertThat(early.view().members()).isEmpty();
        assertThat(early.pollErrors(PollErrorReason.UNSUPPORTED)).isZero();
        await().atMost(WAIT)
                .until(() -> col.snapshot().node(cluster.node(0).name()) != null
                        && col.snapshot().node(cluster.node(0).name()).view().claimsPrimary());
    }

    @Test
    void aVanishedMemberIsForgottenAfterTheRetentionButASeedNever() {
        SimulatedCluster c = startCluster(3);
        ClusterCollector col = start(
                config(c, secret(c)).memberRetention(Duration.ofMillis(800)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
        c.kill(2);
        c.kill(0); // the seed
        await().atMost(WAIT).until(() -> col.snapshot().node("nundb-2.sim:3014") == null);
        ClusterSnapshot s = col.snapshot();
        assertThat(s.forgottenNodes()).isEqualTo(1);
        assertThat(s.node("nundb-0.sim:3014")).isNotNull();
        assertThat(s.node("nundb-0.sim:3014").up()).isFalse();
        // The seed stays known (and dialled) well past the retention.
        await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);
        assertThat(col.snapshot().node("nundb-0.sim:3014")).isNotNull();
    }

    @Test
    void credentialsAreReadOffTheNodeEventLoopsAndARotationTakesEffect() throws Exception {
        SimulatedCluster c = startCluster(3);
        EventLoopGroup group = Transport.best().newGroup(2, "test-nodes");
        AtomicBoolean readOnALoop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<String> current = new AtomicReference<>("not-yet-the-password");
        Supplier<String> file = () -> {
            reads.incrementAndGet();
            for (EventExecutor loop : group) {
                readOnALoop.compareAndSet(false, loop.inEventLoop());
            }
            return current.get();
        };
        try {
            collector = new ClusterCollector(
                    config(c, "unused").password(file).build(),
                    group,
                    TimeSource.SYSTEM,
                    RequestTimingConfig.defaults());
            collector.start();
            ClusterCollector col = collector;
            await().atMost(WAIT)
                    .until(() -> col.snapshot().nodes().size() == 1
                            && col.snapshot().nodes().get(0).pollErrors(PollErrorReason.AUTH) >= 2);

            current.set(password); // the rotated file
            await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);

            assertThat(reads.get()).isGreaterThan(2);
            assertThat(readOnALoop)
                    .as("a credential was read on a node's event loop")
                    .isFalse();
        } finally {
            collector.close();
            collector = null;
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void eachNodesPollCycleIsTimedFromItsFirstRequestToItsLastReply() {
        SimulatedCluster c = startCluster(1);
        ClusterCollector col =
                start(config(c, secret(c)).requestTimeout(Duration.ofSeconds(1)).build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 1);
        assertThat(col.snapshot().nodes().get(0).pollCycleSeconds()).isPositive();

        // Every reply now takes at least 120 ms, so a cycle (at least metrics-state) takes at least that.
        c.node(0).slowReplies(Duration.ofMillis(120));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(col.snapshot().nodes().get(0).pollCycleSeconds())
                        .isGreaterThanOrEqualTo(0.120));
        c.node(0).slowReplies(Duration.ZERO);
    }

    @Test
    void anErrorInACollectorTaskIsRecordedForTheHealthCheckNotSwallowed() {
        SimulatedCluster c = startCluster(1);
        AtomicBoolean broken = new AtomicBoolean();
        ClusterCollector col = start(config(c, secret(c))
                .password(() -> {
                    if (broken.get()) {
                        throw new OutOfMemoryError("simulated");
                    }
                    return password;
                })
                .build());
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 1);
        assertThat(col.failure()).isNull();
        assertThat(col.collectorFailed()).isFalse();

        broken.set(true); // the next publication re-reads the password on the collector thread
        await().atMost(WAIT).until(() -> col.failure() != null);
        assertThat(col.failure()).isInstanceOf(OutOfMemoryError.class);
        assertThat(col.collectorFailed()).isTrue();
    }

    private String secret(SimulatedCluster c) {
        return password;
    }
}
