package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code nundb-exporter status} through {@link Main#run} against a simulated cluster on loopback:
 * healthy, a node down, a node that hangs, views that disagree, bad configuration, JSON output.
 */
class StatusCommandTest {
    private static final String N0 = "nundb-0.sim:3014";
    private static final String N1 = "nundb-1.sim:3014";
    private static final String N2 = "nundb-2.sim:3014";
    private static final String PASSWORD = "pw-" + System.nanoTime();

    private SimulatedCluster cluster;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void start(SimulatedCluster.Builder builder) {
        cluster = builder.credentials("nun", PASSWORD).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.primary() != null);
    }

    /** Runs {@code status} with test timeouts, node 0 as the seed and every node in the address map. */
    private int status(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "status",
                "--nundb.address=127.0.0.1:" + cluster.node(0).port(),
                "--nundb.user=nun",
                "--nundb.request-timeout=1s",
                // Generous for two loaded cores under paranoid leak detection: a cold first greeting took 0.5 s.
                "--nundb.connect-timeout=2s"));
        for (SimulatedNode n : cluster.nodes()) {
            args.add("--nundb.address-map=" + n.name() + "=127.0.0.1:" + n.port());
        }
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private int run(String... args) {
        return Main.run(
                args,
                Map.of("NUN_PWD", PASSWORD),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> jsonNodes() {
        Map<String, Object> doc = new Yaml().load(out());
        return (List<Map<String, Object>>) doc.get("nodes");
    }

    @Test
    void aHealthyClusterPrintsEveryNodeAndExitsZero() {
        start(SimulatedCluster.builder().size(3));

        assertThat(status()).as(err.toString(StandardCharsets.UTF_8)).isZero();

        assertThat(out())
                .contains("| Node             | Role      | Up  | Reason | Waiting | Orphaned | Views agree |")
                .contains("| " + N0 + " | primary   | yes | -      | -       | -        | yes         |")
                .contains("| " + N1 + " | secondary | yes | -      | 0       | 0        | yes         |")
                .contains("| " + N2 + " | secondary | yes | -      | 0       | 0        | yes         |")
                .endsWith("healthy: 3 of 3 nodes up, views agree, primary " + N0 + "\n");
    }

    @Test
    void jsonOutputParsesAndCarriesTheSameRows() {
        start(SimulatedCluster.builder().size(3));

        assertThat(status("--output", "json")).isZero();

        Map<String, Object> doc = new Yaml().load(out());
        assertThat(doc).containsEntry("healthy", true).containsEntry("views_agree", true);
        assertThat(doc).containsEntry("primary", N0);
        assertThat(jsonNodes())
                .extracting(n -> n.get("node"), n -> n.get("role"), n -> n.get("up"), n -> n.get("view_agrees"))
                .containsExactly(
                        tuple(N0, "primary", true, true),
                        tuple(N1, "secondary", true, true),
                        tuple(N2, "secondary", true, true));
        assertThat(jsonNodes().get(1)).containsEntry("pending_waiting", 0).containsEntry("reason", null);
    }

    @Test
    void aNodeThatDiedIsDownWithItsReasonAndExitsOne() {
        start(SimulatedCluster.builder().size(3));
        int deadPort = cluster.node(2).port();
        cluster.kill(2);

        // Views drop a dead member within 60 ms: only a seed (or --nundb.expected-members) still names it.
        assertThat(status("--nundb.address=127.0.0.1:" + deadPort, "--output=json"))
                .isEqualTo(StatusCommand.UNHEALTHY);

        assertThat(jsonNodes())
                .filteredOn(n -> n.get("node").equals("127.0.0.1:" + deadPort))
                .singleElement()
                .satisfies(n -> assertThat(n)
                        .containsEntry("up", false)
                        .containsEntry("reason", "refused")
                        .containsEntry("role", null));
    }

    @Test
    void fewerNodesThanExpectedIsUnhealthy() {
        // The dead node vanishes from the views at once, before the command's first poll.
        start(SimulatedCluster.builder().size(3).vanishDelay(Duration.ZERO));
        cluster.kill(2);

        assertThat(status("--nundb.expected-members=3")).isEqualTo(StatusCommand.UNHEALTHY);

        assertThat(out()).endsWith("UNHEALTHY: 2 of 2 nodes up (3 expected), views agree, primary " + N0 + "\n");
    }

    @Test
    void aNodeThatHangsIsReportedDownWithinTheTimeout() {
        start(SimulatedCluster.builder().size(3));
        cluster.node(1).stop(); // accepts TCP, never greets

        assertThat(status("--timeout=20s")).isEqualTo(StatusCommand.UNHEALTHY);

        assertThat(out()).contains("| " + N1 + " | -         | no  | timeout |");
    }

    @Test
    void viewsThatDisagreeExitOne() {
        // The primary drops the dead node at once; node 1 keeps listing it (spec Appendix C).
        start(SimulatedCluster.builder().size(3).vanishDelay(Duration.ZERO));
        cluster.staleView(1, Duration.ofMinutes(1));
        cluster.kill(2);

        assertThat(status("--output=json")).isEqualTo(StatusCommand.UNHEALTHY);

        Map<String, Object> doc = new Yaml().load(out());
        assertThat(doc).containsEntry("views_agree", false);
        assertThat(jsonNodes())
                .filteredOn(n -> n.get("node").equals(N1))
                .singleElement()
                .satisfies(n -> assertThat(n).containsEntry("up", true).containsEntry("view_agrees", false));
    }

    @Test
    void badConfigurationExitsTwo() {
        assertThat(run("status", "--nundb.user=nun")).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nothing to watch");

        assertThat(run("status", "--nundb.address=127.0.0.1:1", "--nundb.user=nun", "--output=yaml"))
                .isEqualTo(Main.CONFIG_ERROR);
        assertThat(run("status", "--nundb.address=127.0.0.1:1", "--nundb.user=nun", "--timeout=soon"))
                .isEqualTo(Main.CONFIG_ERROR);
        assertThat(run("status", "--demo")).isEqualTo(Main.CONFIG_ERROR);
        assertThat(run("status", "--no-such-flag")).isEqualTo(Main.CONFIG_ERROR);
        assertThat(out()).isEmpty();
    }
}
