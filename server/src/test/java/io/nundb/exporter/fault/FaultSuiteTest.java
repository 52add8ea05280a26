package io.nundb.exporter.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.ResourceLeakDetector;
import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.protocol.LeakRecorder;
import io.nundb.exporter.sim.Garbling;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedMetricsState;
import io.nundb.exporter.sim.SimulatedNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every fault the simulator offers, one at a time, against the whole exporter (real collector,
 * publisher, HTTP) on loopback: the exporter keeps answering scrapes, the other nodes' {@code up},
 * role, {@code metrics-state} values and error counters do not move, no exporter thread is seen
 * BLOCKED, reconnects to the faulty node stay within the backoff schedule, the node is reported up
 * again within the backoff bound once the fault clears, and no buffer leaks (the suite fails unless
 * leak detection is at least {@code advanced}: the server pom runs this suite in its own surefire
 * execution with {@code advanced}).
 *
 * <p>Thread-safety: a test; single-threaded apart from the exporter it drives.
 */
class FaultSuiteTest {
    static final Duration FAULT_WINDOW = Duration.ofMillis(1200);
    /** Reported up again within: the largest backoff, a connect, a poll and a render, with slack for CI. */
    static final Duration RECOVERY_BOUND = Duration.ofSeconds(3);

    static LeakRecorder leaks;

    enum Fault {
        KILL,
        RESTART,
        STOP,
        SLOW_REPLIES,
        GARBLE_METRICS_STATE,
        GARBLE_STRAY_LINE,
        REJECT_AUTH,
        STOPPED_ACKS,
        FAILOVER,
        RESET_CONNECTIONS,
        CLOSE_ON_ACCEPT,
        /** One status line never sent (spec §1.3): every later reply would be credited to the request before. */
        SKIPPED_STATUS_LINE,
        /** Bytes without a newline, forever, on every connection. */
        STREAM_WITHOUT_NEWLINE
    }

    /** The deployment's memory limit (deploy/kubernetes/deployment.yaml): RSS must stay under it. */
    static final long MEMORY_LIMIT_BYTES = 512L * 1024 * 1024;
    /** Members in the hostile view: about 0.5 MiB of cluster-state, under its 1 MiB line limit. */
    static final int HUGE_VIEW_MEMBERS = 20_000;

    @BeforeAll
    static void recordLeaks() {
        assertThat(ResourceLeakDetector.getLevel().ordinal())
                .as("leak detection level")
                .isGreaterThanOrEqualTo(ResourceLeakDetector.Level.ADVANCED.ordinal());
        leaks = LeakRecorder.start();
    }

    @BeforeAll
    static void runsUnderTheImagesMemoryFlags() {
        // -XX:MaxDirectMemorySize=64m and a heap of 75 % of 512 MiB, as the image runs (server pom).
        assertThat(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
                .as("JVM flags of the fault suite")
                .contains("-XX:MaxDirectMemorySize=64m");
        assertThat(Runtime.getRuntime().maxMemory()).as("max heap").isLessThanOrEqualTo(384L * 1024 * 1024);
    }

    @AfterAll
    static void noLeaks() {
        try {
            assertThat(leaks.collect()).as("Netty LEAK reports").isEmpty();
        } finally {
            leaks.close();
        }
    }

    static String randomPassword() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static SimulatedCluster cluster(String password, boolean splitBrain) {
        SimulatedCluster c = SimulatedCluster.builder()
                .size(3)
                .names(i -> "nundb-" + i + ":3014")
                .credentials("admin", password)
                .electionWindow(Duration.ofMillis(100))
                .startupSplitBrain(splitBrain)
                .start();
        for (int i = 0; i < 3; i++) {
            c.node(i).scriptMetricsState(new SimulatedMetricsState(10 + i, 4096 + i, 100 + i, 1.5 + i, 0.25 + i));
        }
        return c;
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void theExporterSurvivesAndRecovers(Fault fault) throws Exception {
        String password = randomPassword();
        try (SimulatedExporter exporter = new SimulatedExporter(cluster(password, false), "admin", password);
                AutoCloseable load = fault == Fault.STOPPED_ACKS
                        ? exporter.cluster.startWriteLoad("faults", "token", 50)
                        : () -> {}) {
            assertThat(load).isNotNull();
            int faulty = fault == Fault.FAILOVER ? 0 : 2;
            SimulatedNode node = exporter.cluster.node(faulty);
            String faultyName = node.name();
            awaitAllUp(exporter);
            Map<String, Map<String, Double>> baseline = othersStable(exporter.scrape(), faultyName, true);
            long acceptedBefore = node.connectionsAccepted();
            long start = System.nanoTime();

            inject(exporter.cluster, faulty, fault);

            boolean sawEffect = false;
            while (System.nanoTime() - start < FAULT_WINDOW.toNanos()) {
                Map<String, Double> s = exporter.scrape();
                // Roles legitimately change when the primary fails over; nothing else may move.
                assertThat(othersStable(s, faultyName, fault != Fault.FAILOVER))
                        .as("other nodes during " + fault)
                        .isEqualTo(
                                fault == Fault.FAILOVER
                                        ? othersStable(baselineScrape(baseline), faultyName, false)
                                        : baseline);
                sawEffect |= effectVisible(fault, s, faultyName);
                assertThat(SimulatedExporter.blockedExporterThreads())
                        .as("BLOCKED exporter threads")
                        .isEmpty();
                Thread.sleep(100); // sampling cadence of the fault window, not a wait for a result
            }
            long accepted = node.connectionsAccepted() - acceptedBefore;
            long maxAttempts = maxAttempts(FAULT_WINDOW, longestDelay(fault));
            assertThat(accepted)
                    .as("connections accepted by the faulty node during the window (reconnect schedule)")
                    .isLessThanOrEqualTo(maxAttempts);
            assertThat(sawEffect).as("the fault was visible in the scrape").isTrue();

            clear(exporter.cluster, faulty, fault);
            long cleared = System.nanoTime();

            await().atMost(RECOVERY_BOUND).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                Map<String, Double> s = exporter.scrape();
                for (SimulatedNode n : exporter.cluster.nodes()) {
                    assertThat(s.get("nundb_up{node=\"" + n.name() + "\"}"))
                            .as(n.name())
                            .isEqualTo(1.0);
                }
            });
            System.out.println("fault " + fault + ": " + accepted + " reconnects accepted in " + FAULT_WINDOW.toMillis()
                    + " ms (bound " + maxAttempts + "), up again "
                    + (System.nanoTime() - cleared) / 1_000_000 + " ms after clearing");
            if (fault == Fault.STOPPED_ACKS) {
                await().atMost(RECOVERY_BOUND)
                        .untilAsserted(() -> assertThat(exporter.scrape())
                                .doesNotContainKey("nundb_replication_oldest_waiting_timestamp_seconds{member=\""
                                        + faultyName + "\",node=\"nundb-0:3014\"}"));
            }
        }
    }

    @Test
    void theStartupSplitBrainIsReportedWhileEveryNodeStaysUp() throws Exception {
        String password = randomPassword();
        try (SimulatedExporter exporter = new SimulatedExporter(cluster(password, true), "admin", password)) {
            awaitAllUp(exporter);
            await().untilAsserted(() -> assertThat(exporter.scrape())
                    .containsEntry("nundb_node_claims_primary{node=\"nundb-0:3014\"}", 1.0)
                    .containsEntry("nundb_node_claims_primary{node=\"nundb-2:3014\"}", 1.0));
            Map<String, Double> s = exporter.scrape();
            for (int i = 0; i < 3; i++) {
                String name = "nundb-" + i + ":3014";
                assertThat(s).containsEntry("nundb_up{node=\"" + name + "\"}", 1.0);
                for (String reason : new String[] {"auth", "protocol", "unsupported", "error_reply", "closed"}) {
                    assertThat(s)
                            .containsEntry(
                                    "nundb_exporter_poll_errors_total{node=\"" + name + "\",reason=\"" + reason + "\"}",
                                    0.0);
                }
            }
            assertThat(SimulatedExporter.blockedExporterThreads()).isEmpty();
        }
    }

    @Test
    void aSkippedStatusLineCostsOneReconnectAndTheNodeIsUpAgainWithinAFewPolls() throws Exception {
        String password = randomPassword();
        try (SimulatedExporter exporter = new SimulatedExporter(cluster(password, false), "admin", password)) {
            awaitAllUp(exporter);
            SimulatedNode node = exporter.cluster.node(2);
            String up = "nundb_up{node=\"" + node.name() + "\"}";
            String connects = "nundb_exporter_connects_total{node=\"" + node.name() + "\"}";
            String timeouts = "nundb_exporter_poll_errors_total{node=\"" + node.name() + "\",reason=\"timeout\"}";
            Map<String, Double> before = exporter.scrape();
            Map<String, Map<String, Double>> baseline = othersStable(before, node.name(), true);
            long start = System.nanoTime();

            node.skipStatusLines(1);

            await().atMost(RECOVERY_BOUND.multipliedBy(2))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> {
                        Map<String, Double> s = exporter.scrape();
                        assertThat(othersStable(s, node.name(), true)).isEqualTo(baseline);
                        assertThat(s.get(timeouts)).isGreaterThan(before.get(timeouts));
                        assertThat(s.get(connects)).isGreaterThan(before.get(connects));
                        assertThat(s.get(up)).isEqualTo(1.0);
                    });
            Map<String, Double> after = exporter.scrape();
            System.out.println("skipped status line: reconnected and up again "
                    + (System.nanoTime() - start) / 1_000_000 + " ms after the status line was dropped (poll "
                    + SimulatedExporter.POLL.toMillis() + " ms, request timeout "
                    + SimulatedExporter.REQUEST_TIMEOUT.toMillis() + " ms), "
                    + (after.get(timeouts) - before.get(timeouts)) + " timeouts");
        }
    }

    @Test
    void aViewListingThousandsOfMembersIsCappedWhileTheExporterKeepsServingCorrectValues() throws Exception {
        String password = randomPassword();
        try (SimulatedExporter exporter = new SimulatedExporter(cluster(password, false), "admin", password)) {
            awaitAllUp(exporter);
            Map<String, Map<String, Double>> baseline = othersStable(exporter.scrape(), "", true);
            long heapBefore = usedHeapAfterGc();
            long start = System.nanoTime();

            exporter.cluster.node(0).extraViewMembers(HUGE_VIEW_MEMBERS);

            long maxRss = 0;
            while (System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
                assertThat(exporter.status("/-/healthy")).as("/-/healthy").isEqualTo(200);
                Map<String, Double> s = exporter.scrape();
                assertThat(othersStable(s, "", true)).as("the real nodes").isEqualTo(baseline);
                long nodes = s.keySet().stream()
                        .filter(k -> k.startsWith("nundb_up{"))
                        .count();
                assertThat(nodes).as("nodes polled").isLessThanOrEqualTo(ClientConfig.DEFAULT_MAX_MEMBERS);
                maxRss = Math.max(maxRss, rssBytes());
                assertThat(maxRss).as("RSS").isLessThan(MEMORY_LIMIT_BYTES);
                Thread.sleep(200); // sampling cadence, not a wait for a result
            }
            Map<String, Double> s = exporter.scrape();
            assertThat(s.get("nundb_exporter_members_refused_total"))
                    .as("members refused")
                    .isGreaterThanOrEqualTo(HUGE_VIEW_MEMBERS - ClientConfig.DEFAULT_MAX_MEMBERS);
            long heapAfter = usedHeapAfterGc();
            System.out.println("huge view of " + HUGE_VIEW_MEMBERS + " members: "
                    + s.keySet().stream().filter(k -> k.startsWith("nundb_up{")).count()
                    + " nodes polled, "
                    + s.get("nundb_exporter_members_refused_total").longValue()
                    + " refusals, heap after GC " + heapBefore / (1024 * 1024) + " -> " + heapAfter / (1024 * 1024)
                    + " MiB, max RSS " + maxRss / (1024 * 1024) + " MiB");
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage()
                .getUsed();
    }

    /** Resident set size of this JVM (exporter and simulator), from /proc; 0 where there is none. */
    private static long rssBytes() throws java.io.IOException {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        if (!java.nio.file.Files.exists(status)) {
            return 0;
        }
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    /**
     * The longest reconnect delay while {@code fault} lasts: a node that refuses or closes connections is
     * redialled at least once per poll interval, one that accepts and then fails them backs off to the
     * backoff maximum.
     */
    static Duration longestDelay(Fault fault) {
        return switch (fault) {
            case KILL, RESTART, FAILOVER, RESET_CONNECTIONS, CLOSE_ON_ACCEPT -> SimulatedExporter.POLL;
            default -> SimulatedExporter.BACKOFF_MAX;
        };
    }

    /**
     * The most connection attempts the reconnect schedule allows in {@code window}: delays 50, 100, 200,
     * ... ms up to {@code longest}, each shortened by at most the 20 % jitter, plus the first immediate
     * attempt and one for a connection the fault itself closed.
     */
    static long maxAttempts(Duration window, Duration longest) {
        long left = window.toNanos();
        long attempts = 2;
        long delay = SimulatedExporter.BACKOFF_INITIAL.toNanos();
        while (true) {
            long shortest = (long) (Math.min(delay, longest.toNanos()) * 0.8);
            if (shortest > left) {
                return attempts;
            }
            left -= shortest;
            attempts++;
            delay *= 2;
        }
    }

    private static void awaitAllUp(SimulatedExporter exporter) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Double> s = exporter.scrape();
            for (SimulatedNode n : exporter.cluster.nodes()) {
                assertThat(s.get("nundb_up{node=\"" + n.name() + "\"}"))
                        .as(n.name() + " in " + upSeries(s) + " of " + s.size())
                        .isEqualTo(1.0);
                assertThat(s.get("nundb_oplog_pending_ops{node=\"" + n.name() + "\"}"))
                        .as(n.name() + " in " + upSeries(s))
                        .isNotNull();
            }
        });
    }

    private static String upSeries(Map<String, Double> s) {
        StringBuilder b = new StringBuilder();
        s.forEach((k, v) -> {
            if (k.startsWith("nundb_up") || k.startsWith("nundb_exporter_poll_errors_total") && v > 0) {
                b.append(k).append('=').append(v).append(' ');
            }
        });
        return b.toString();
    }

    private static Map<String, Map<String, Double>> othersStable(
            Map<String, Double> scrape, String faulty, boolean withRole) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            String name = "nundb-" + i + ":3014";
            if (!name.equals(faulty)) {
                out.put(name, SimulatedExporter.stableSeriesOf(scrape, name, withRole));
            }
        }
        return out;
    }

    private static Map<String, Double> baselineScrape(Map<String, Map<String, Double>> baseline) {
        Map<String, Double> flat = new LinkedHashMap<>();
        baseline.values().forEach(flat::putAll);
        return flat;
    }

    private static boolean effectVisible(Fault fault, Map<String, Double> s, String faulty) {
        double up = s.getOrDefault("nundb_up{node=\"" + faulty + "\"}", -1.0);
        double errors = s.entrySet().stream()
                .filter(e -> e.getKey().startsWith("nundb_exporter_poll_errors_total{node=\"" + faulty + "\""))
                .mapToDouble(Map.Entry::getValue)
                .sum();
        switch (fault) {
            case STOPPED_ACKS:
                return s.keySet().stream()
                        .anyMatch(k -> k.startsWith("nundb_replication_pending_ops{member=\"" + faulty + "\"")
                                && k.contains("state=\"waiting\"")
                                && s.get(k) > 0);
            case RESTART:
            case RESET_CONNECTIONS:
                return s.getOrDefault("nundb_exporter_connects_total{node=\"" + faulty + "\"}", 0.0) > 1;
            default:
                return up == 0.0 || errors > 0;
        }
    }

    private static void inject(SimulatedCluster c, int i, Fault fault) {
        SimulatedNode n = c.node(i);
        switch (fault) {
            case KILL:
            case FAILOVER:
                c.kill(i);
                break;
            case RESTART:
                c.restart(i);
                c.node(i).scriptMetricsState(new SimulatedMetricsState(10 + i, 4096 + i, 100 + i, 1.5 + i, 0.25 + i));
                break;
            case STOP:
            case STOPPED_ACKS:
                n.stop();
                break;
            case SLOW_REPLIES:
                n.slowReplies(Duration.ofMillis(900));
                break;
            case GARBLE_METRICS_STATE:
                n.garble(Garbling.CORRUPT_METRICS_STATE);
                break;
            case GARBLE_STRAY_LINE:
                n.garble(Garbling.STRAY_LINE);
                break;
            case REJECT_AUTH:
                n.rejectAuth(true);
                n.resetConnections();
                break;
            case RESET_CONNECTIONS:
                n.resetConnections();
                break;
            case CLOSE_ON_ACCEPT:
                n.closeOnAccept(true);
                n.resetConnections();
                break;
            case SKIPPED_STATUS_LINE:
                n.skipStatusLines(1);
                break;
            case STREAM_WITHOUT_NEWLINE:
                n.streamWithoutNewline(true);
                break;
            default:
                throw new IllegalArgumentException(fault.name());
        }
    }

    private static void clear(SimulatedCluster c, int i, Fault fault) {
        SimulatedNode n = c.node(i);
        switch (fault) {
            case KILL:
            case FAILOVER:
                c.restart(i);
                c.node(i).scriptMetricsState(new SimulatedMetricsState(10 + i, 4096 + i, 100 + i, 1.5 + i, 0.25 + i));
                break;
            case STOP:
            case STOPPED_ACKS:
                n.resume();
                break;
            case SLOW_REPLIES:
                n.slowReplies(Duration.ZERO);
                break;
            case GARBLE_METRICS_STATE:
            case GARBLE_STRAY_LINE:
                n.garble(Garbling.NONE);
                break;
            case REJECT_AUTH:
                n.rejectAuth(false);
                break;
            case CLOSE_ON_ACCEPT:
                n.closeOnAccept(false);
                break;
            case STREAM_WITHOUT_NEWLINE:
                n.streamWithoutNewline(false);
                break;
            default:
                break;
        }
    }
}
