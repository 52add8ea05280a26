package io.nundb.exporter.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.sim.CrashPoint;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How soon the whole exporter (real collector, publisher and HTTP server, on loopback) sees a restarted
 * node, and how it tells a crash loop from an outage, with the production reconnect backoff (200 ms
 * doubling to 15 s) and a 200 ms poll and render interval.
 *
 * <p>Thread-safety: a test; single-threaded apart from the exporter it drives.
 */
// "try": resources that are only held for the block (a crash loop held open for the block).
@SuppressWarnings("try")
class RecoveryTest {
    static final Duration POLL = SimulatedExporter.POLL;
    /** {@link SimulatedExporter} renders once per poll interval. */
    static final Duration RENDER = POLL;
    /**
     * Up within 2 poll intervals and a render interval of listening again (issue 10), plus 1.4 s for a
     * loaded machine (two shared cores, paranoid leak detection). The redial backoff this replaces had grown
     * to 6.4 s (at least 5.1 s with its jitter) after the five refused connects awaited below.
     */
    static final Duration UP_BOUND = POLL.multipliedBy(2).plus(RENDER).plus(Duration.ofMillis(1400));

    static final Duration BACKOFF_INITIAL = Duration.ofMillis(200);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(15);

    static final String FAULTY = "nundb-2:3014";

    private static SimulatedExporter exporter(String password) throws Exception {
        return new SimulatedExporter(
                FaultSuiteTest.cluster(password, false),
                "admin",
                password,
                POLL,
                b -> b.backoff(BACKOFF_INITIAL, BACKOFF_MAX));
    }

    @Test
    void aRestartedNodeIsUpWithinTwoPollIntervalsAndARenderOfListeningAgain() throws Exception {
        String password = FaultSuiteTest.randomPassword();
        try (SimulatedExporter exporter = exporter(password)) {
            awaitUp(exporter, FAULTY, Duration.ofSeconds(10));
            long killed = System.nanoTime();
            exporter.cluster.kill(2);

            // Five refused connects: the old exponential backoff stood at 6.4 s by then.
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> errors(exporter, PollErrorReason.REFUSED) >= 5);
            long down = System.nanoTime() - killed;
            long refused = errors(exporter, PollErrorReason.REFUSED);
            // Never stormed: no two redials sooner than 80 % (the jitter) of the first delay.
            long floor = (long) (BACKOFF_INITIAL.toNanos() * 0.8);
            assertThat(refused)
                    .as("refused connects in %d ms", down / 1_000_000)
                    .isLessThanOrEqualTo(down / floor + 1);

            long restarting = System.nanoTime(); // at or before the node listens again
            exporter.cluster.restart(2);
            long restarted = System.nanoTime();
            await().atMost(UP_BOUND)
                    .pollInterval(Duration.ofMillis(10))
                    .untilAsserted(() ->
                            assertThat(exporter.scrape()).containsEntry("nundb_up{node=\"" + FAULTY + "\"}", 1.0));
            long up = System.nanoTime();
            System.out.println("recovery: nundb_up 1 on /metrics " + (up - restarting) / 1_000_000
                    + " ms after the restart began (" + (up - restarted) / 1_000_000 + " ms after it completed);"
                    + " bound " + UP_BOUND.toMillis() + " ms; " + refused + " refused connects in "
                    + down / 1_000_000 + " ms down");
            assertThat(errors(exporter, PollErrorReason.SHORT_LIFE)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void aCrashLoopCountsShortLivesForThatNodeOnly(CrashPoint point) throws Exception {
        String password = FaultSuiteTest.randomPassword();
        try (SimulatedExporter exporter = exporter(password)) {
            awaitUp(exporter, FAULTY, Duration.ofSeconds(10));
            try (AutoCloseable loop =
                    exporter.cluster.node(2).crashLoop(Duration.ofMillis(500), Duration.ofMillis(300), point)) {
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(exporter.scrape())
                                .containsEntry("nundb_up{node=\"" + FAULTY + "\"}", 0.0)
                                .hasEntrySatisfying(
                                        "nundb_exporter_poll_errors_total{node=\"" + FAULTY
                                                + "\",reason=\"short_life\"}",
                                        v -> assertThat(v).isGreaterThanOrEqualTo(3.0)));
                Map<String, Double> s = exporter.scrape();
                for (String other : new String[] {"nundb-0:3014", "nundb-1:3014"}) {
                    assertThat(s)
                            .containsEntry("nundb_up{node=\"" + other + "\"}", 1.0)
                            .containsEntry(
                                    "nundb_exporter_poll_errors_total{node=\"" + other + "\",reason=\"short_life\"}",
                                    0.0);
                }
                System.out.println("crash loop " + point + ": " + errors(exporter, PollErrorReason.SHORT_LIFE)
                        + " short lives, " + errors(exporter, PollErrorReason.REFUSED) + " refused");
            }
            // The loop ended with the node dead; restarted, it is seen without waiting on a grown backoff.
            exporter.cluster.restart(2);
            awaitUp(exporter, FAULTY, UP_BOUND);
        }
    }

    private static long errors(SimulatedExporter exporter, PollErrorReason reason) {
        NodeSnapshot n = exporter.collector.snapshot().node(FAULTY);
        return n == null ? 0 : n.pollErrors(reason);
    }

    private static void awaitUp(SimulatedExporter exporter, String node, Duration bound) {
        await().atMost(bound)
                .pollInterval(Duration.ofMillis(10))
                .untilAsserted(
                        () -> assertThat(exporter.scrape()).containsEntry("nundb_up{node=\"" + node + "\"}", 1.0));
    }
}
