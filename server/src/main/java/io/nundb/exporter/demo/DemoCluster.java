package io.nundb.exporter.demo;

import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The embedded cluster of {@code --demo}: three simulated Nun-db nodes on loopback, named as a
 * Kubernetes StatefulSet would name them ({@code nundb-0.nundb:3014} ...), listening on ephemeral
 * ports, with a steady synthetic write load on the primary. Credentials and the canary token are random
 * per run.
 *
 * <p>Thread-safety: start and close from one thread; the accessors are immutable values.
 */
public final class DemoCluster implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DemoCluster.class.getName());
    private static final int NODES = 3;
    private static final int WRITES_PER_SECOND = 20;

    private final SimulatedCluster cluster;
    private final AutoCloseable load;
    private final String password;
    private final String canaryToken;
    private final Map<String, String> addressMap;

    private DemoCluster(
            SimulatedCluster cluster,
            AutoCloseable load,
            String password,
            String canaryToken,
            Map<String, String> map) {
        this.cluster = cluster;
        this.load = load;
        this.password = password;
        this.canaryToken = canaryToken;
        this.addressMap = map;
    }

    /** Starts the simulated nodes and the write load. */
    public static DemoCluster start() {
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        new SecureRandom().nextBytes(secret);
        String canaryToken = HexFormat.of().formatHex(secret);
        SimulatedCluster cluster = SimulatedCluster.builder()
                .size(NODES)
                .names(i -> "nundb-" + i + ".nundb:3014")
                .credentials("demo", password)
                .start();
        Map<String, String> map = new LinkedHashMap<>();
        for (SimulatedNode node : cluster.nodes()) {
            map.put(node.name(), "127.0.0.1:" + node.port());
        }
        AutoCloseable load = cluster.startWriteLoad("demo", "demo-token", WRITES_PER_SECOND);
        LOG.info(() -> "demo cluster started: " + map);
        return new DemoCluster(cluster, load, password, canaryToken, Map.copyOf(map));
    }

    /** The address of the first node, as the seed. */
    public List<String> seeds() {
        return List.of("127.0.0.1:" + cluster.node(0).port());
    }

    /** Node name to loopback address, as {@code --nundb.address-map} would give it. */
    public Map<String, String> addressMap() {
        return addressMap;
    }

    public String user() {
        return "demo";
    }

    public String password() {
        return password;
    }

    /** The token of the replication canary's database (the demo always runs the canary); random per run. */
    public String canaryToken() {
        return canaryToken;
    }

    @Override
    public void close() {
        try {
            load.close();
        } catch (Exception e) {
            LOG.fine("stopping the demo write load failed: " + e.getClass().getSimpleName());
        }
        cluster.close();
    }
}
