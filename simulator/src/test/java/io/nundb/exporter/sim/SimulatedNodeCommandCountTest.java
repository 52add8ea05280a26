package io.nundb.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The per-command count of client requests a node received (what a client costs the node's log). */
// "try": a write load only held for the block.
@SuppressWarnings("try")
class SimulatedNodeCommandCountTest {

    @Test
    void countsClientRequestsByCommandAndDebugByItsSubcommand() throws IOException {
        try (SimulatedNode node =
                        SimulatedNode.builder().name("nundb-0.sim:3014").build().start();
                LineClient c = LineClient.authed(node)) {
            c.request("metrics-state\n");
            c.request("metrics-state\n");
            c.request("debug pending-ops\n");
            c.request("debug list-dbs\n");
            c.request("create-db counted counted-token\n");
            c.request("use-db counted counted-token\n");

            assertThat(node.commandsReceived("auth")).isEqualTo(1);
            assertThat(node.commandsReceived("metrics-state")).isEqualTo(2);
            assertThat(node.commandsReceived("debug pending-ops")).isEqualTo(1);
            assertThat(node.commandsReceived("debug list-dbs")).isEqualTo(1);
            assertThat(node.commandsReceived("use-db")).isEqualTo(1);
            assertThat(node.commandsReceived("cluster-state")).isZero();
        }
    }

    @Test
    void theSimulatorsOwnSessionIsNotCounted() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.builder().start();
                AutoCloseable load = cluster.startWriteLoad("loaded", "loaded-token", 50)) {
            SimulatedNode primary = await().until(cluster::primary, p -> p != null);
            long before = primary.commandsReceived();
            await().until(() -> primary.commandsReceived() >= before + 10);
            assertThat(primary.commandsReceived("use-db")).isZero();
            assertThat(primary.commandsReceived("set")).isZero();
        }
    }
}
