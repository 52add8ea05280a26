package io.nundb.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private SimulatorMain sim;

    @BeforeEach
    void start() throws IOException {
        sim = SimulatorMain.start(3, "nun", "sim-test-pwd", 0);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private HttpResponse<String> call(String method, String pathAndQuery) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void printsTheExporterArgumentsWithoutThePassword() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        sim.printExporterArguments(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        SimulatedCluster c = sim.cluster();
        assertThat(out.lines().toList())
                .containsExactly(
                        "control 127.0.0.1:" + sim.controlPort(),
                        "--nundb.address=127.0.0.1:" + c.node(0).port(),
                        "--nundb.address-map=nundb-0.nundb:3014=127.0.0.1:"
                                + c.node(0).port(),
                        "--nundb.address-map=nundb-1.nundb:3014=127.0.0.1:"
                                + c.node(1).port(),
                        "--nundb.address-map=nundb-2.nundb:3014=127.0.0.1:"
                                + c.node(2).port(),
                        "ready");
        assertThat(out).doesNotContain("sim-test-pwd");
    }

    @Test
    void nodeFaultsAreAppliedByIndexOrName() throws Exception {
        assertThat(call("POST", "/fault?node=1&action=kill").statusCode()).isEqualTo(200);
        assertThat(sim.cluster().node(1).isAlive()).isFalse();
        assertThat(call("POST", "/fault?node=nundb-1.nundb:3014&action=restart").statusCode())
                .isEqualTo(200);
        assertThat(sim.cluster().node(1).isAlive()).isTrue();
        assertThat(call("POST", "/fault?node=2&action=stop").statusCode()).isEqualTo(200);
        assertThat(sim.cluster().node(2).isStopped()).isTrue();
        assertThat(call("POST", "/fault?node=2&action=resume").statusCode()).isEqualTo(200);
        assertThat(sim.cluster().node(2).isStopped()).isFalse();
        assertThat(call("POST", "/fault?node=2&action=delay&ms=250").statusCode())
                .isEqualTo(200);
        assertThat(call("GET", "/state").body())
                .contains("1 nundb-1.nundb:3014 " + sim.cluster().node(1).port() + " alive")
                .contains("primary nundb-0.nundb:3014");
    }

    @Test
    void appendixCFaultsAreAppliedOverHttp() throws Exception {
        SimulatedCluster c = sim.cluster();
        assertThat(call("POST", "/fault?node=1&action=stale-view&ms=60000").statusCode())
                .isEqualTo(200);
        assertThat(call("POST", "/fault?node=2&action=kill-racing-writes&count=3")
                        .statusCode())
                .isEqualTo(200);
        await().until(() -> c.node(0).metricsState().pendingOps() >= 3);
        await().until(() -> !c.node(0).view().containsKey("nundb-2.nundb:3014"));
        assertThat(c.node(1).view()).containsKey("nundb-2.nundb:3014");

        assertThat(call("POST", "/fault?node=2&action=crash-loop&ms=200").statusCode())
                .isEqualTo(200);
        long firstLife = c.node(2).processId();
        await().until(() -> c.node(2).processId() != firstLife);
        assertThat(call("POST", "/fault?node=2&action=crash-loop").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/fault?node=2&action=end-crash-loop").statusCode())
                .isEqualTo(200);
        assertThat(c.node(2).isAlive()).isFalse();

        assertThat(call("POST", "/fault?node=2&action=restart-wiped").statusCode())
                .isEqualTo(200);
        assertThat(c.node(0).view()).containsEntry("nundb-2.nundb:3014", "Secoundary");
        assertThat(c.node(2).metricsState().opLogCount())
                .isLessThan(c.node(0).metricsState().opLogCount());
    }

    @Test
    void helpListsEveryFault() {
        for (String action : List.of(
                "restart-wiped",
                "restart-wiped-without-databases",
                "restart-kept-data",
                "crash-loop",
                "crash-loop-before-auth",
                "end-crash-loop",
                "stale-view",
                "kill-racing-writes")) {
            assertThat(SimulatorMain.HELP).contains("  " + action + " ");
        }
    }

    @Test
    void badRequestsAreRejected() throws Exception {
        assertThat(call("POST", "/fault?node=7&action=kill").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/fault?node=1&action=explode").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/fault?node=1&action=delay").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/cluster?action=explode").statusCode()).isEqualTo(400);
        assertThat(call("GET", "/fault?node=1&action=kill").statusCode()).isEqualTo(404);
        assertThat(sim.cluster().node(1).isAlive()).isTrue();
    }

    @Test
    void splitBrainRestartKeepsThePortsAndRestartingNodeTwoHealsIt() throws Exception {
        List<Integer> ports =
                sim.cluster().nodes().stream().map(SimulatedNode::port).toList();
        assertThat(call("POST", "/cluster?action=restart-split-brain").statusCode())
                .isEqualTo(200);
        SimulatedCluster c = sim.cluster();
        assertThat(c.nodes()).extracting(SimulatedNode::port).containsExactlyElementsOf(ports);
        await().until(() ->
                "Primary".equals(c.node(0).role()) && "Primary".equals(c.node(2).role()));
        assertThat(call("POST", "/fault?node=2&action=restart").statusCode()).isEqualTo(200);
        await().until(() -> "Secoundary".equals(c.node(2).view().get("nundb-2.nundb:3014")));
        assertThat(c.node(0).role()).isEqualTo("Primary");
    }

    @Test
    void heldElectionsLeaveNoPrimaryUntilReleased() throws Exception {
        assertThat(call("POST", "/cluster?action=hold-elections").statusCode()).isEqualTo(200);
        assertThat(call("POST", "/fault?node=0&action=kill").statusCode()).isEqualTo(200);
        SimulatedCluster c = sim.cluster();
        await().until(() -> !c.node(1).view().containsKey("nundb-0.nundb:3014"));
        assertThat(call("GET", "/state").body()).contains("primary none");
        assertThat(call("POST", "/cluster?action=release-elections").statusCode())
                .isEqualTo(200);
        await().until(() -> c.primary() == c.node(1));
    }
}
