package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Membership against hostile or careless setups, on loopback against the simulator: a view listing
 * thousands of names, and every node given as a seed while the nodes' own names cannot be dialled.
 */
class ClusterMembershipLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private SimulatedCluster cluster;
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

    private SimulatedCluster startCluster(List<String> names) {
        cluster = SimulatedCluster.builder()
                .size(names.size())
                .names(names)
                .credentials("nun", "pwd")
                .electionWindow(Duration.ofMillis(150))
                .start();
        return cluster;
    }

    private static ClientConfig.Builder config(List<String> seeds) {
        return ClientConfig.builder()
                .seeds(seeds)
                .user("nun")
                .password(() -> "pwd")
                .pollInterval(Duration.ofMillis(100))
                .requestTimeout(Duration.ofMillis(300))
                .hardTimeout(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofMillis(500))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .pendingInterval(Duration.ofMillis(200));
    }

    private ClusterCollector start(ClientConfig config) {
        collector = new ClusterCollector(config, null, TimeSource.SYSTEM, RequestTimingConfig.defaults());
        collector.start();
        return collector;
    }

    @Test
    void aViewListingThousandsOfNamesAddsNoMoreThanTheMaximumAndCountsTheRest() {
        SimulatedCluster c = startCluster(List.of("nundb-0.sim:3014", "nundb-1.sim:3014", "nundb-2.sim:3014"));
        await().atMost(WAIT).until(() -> c.node(0).view().size() == 3);
        c.node(0).extraViewMembers(5000);
        Map<String, String> map = new HashMap<>();
        for (SimulatedNode n : c.nodes()) {
            map.put(n.name(), "127.0.0.1:" + n.port());
        }
        ClusterCollector col = start(config(List.of("127.0.0.1:" + c.node(0).port()))
                .addressMap(map)
                .maxMembers(10)
                .build());

        // The real members come first in the view (sorted before the invented ones): all three are kept.
        await().atMost(WAIT).until(() -> col.snapshot().refusedMembers() >= 2 * 4993);
        ClusterSnapshot s = col.snapshot();
        assertThat(s.nodes()).hasSize(10);
        assertThat(s.nodes())
                .extracting(NodeSnapshot::name)
                .contains("nundb-0.sim:3014", "nundb-1.sim:3014", "nundb-2.sim:3014");
        await().atMost(WAIT).until(() -> col.snapshot().membersUp() == 3);
    }

    @Test
    void everyNodeAsASeedWithUndialableOwnNamesKeepsEveryNodeUp() {
        // Nun-db's default name is the wildcard 0.0.0.0:3014 (spec §1.1): not dialable, and no address map.
        SimulatedCluster c = startCluster(List.of("0.0.0.0:3014", "0.0.0.0:3015", "0.0.0.0:3016"));
        await().atMost(WAIT).until(() -> c.node(0).view().size() == 3);
        // The seed of node 1 cannot complete a connection until node 0's view has named it.
        c.node(1).closeOnAccept(true);
        List<String> seeds = new ArrayList<>();
        for (SimulatedNode n : c.nodes()) {
            seeds.add("127.0.0.1:" + n.port());
        }
        ClusterCollector col = start(config(seeds).build());
        await().atMost(WAIT).untilAsserted(() -> {
            NodeSnapshot named = col.snapshot().node("0.0.0.0:3015");
            assertThat(named).isNotNull();
            assertThat(named.downReason()).isEqualTo(PollErrorReason.UNDIALABLE);
        });

        c.node(1).closeOnAccept(false);

        await().atMost(WAIT).untilAsserted(() -> {
            ClusterSnapshot s = col.snapshot();
            assertThat(s.nodes())
                    .extracting(NodeSnapshot::name)
                    .containsExactly("0.0.0.0:3014", "0.0.0.0:3015", "0.0.0.0:3016");
            assertThat(s.membersUp()).isEqualTo(3);
            assertThat(s.nodes()).allSatisfy(n -> assertThat(n.seed()).isTrue());
        });
    }
}
