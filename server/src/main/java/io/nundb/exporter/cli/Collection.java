package io.nundb.exporter.cli;

import io.nundb.exporter.client.CanaryConfig;
import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.client.ClusterCollector;
import io.nundb.exporter.client.TimeSource;
import io.nundb.exporter.demo.DemoCluster;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.nundb.exporter.timing.RequestTimingConfig;
import java.util.logging.Logger;

/**
 * The running collection behind the HTTP endpoint: the cluster collector, and in demo mode the
 * embedded simulated cluster it watches.
 *
 * <p>Thread-safety: {@link #source()} is safe from any thread; {@link #close()} is called once.
 */
final class Collection implements RunningCollection {
    private static final Logger LOG = Logger.getLogger(Collection.class.getName());

    private final ClusterCollector collector;
    private final DemoCluster demo;

    private Collection(ClusterCollector collector, DemoCluster demo) {
        this.collector = collector;
        this.demo = demo;
    }

    /** Starts collecting from the configured cluster, or from a new demo cluster in demo mode. */
    static Collection start(ExporterConfig config) {
        DemoCluster demo = config.demo() ? DemoCluster.start() : null;
        ClusterCollector collector;
        try {
            ClientConfig client = clientConfig(config, demo);
            CanaryConfig canary = canaryConfig(config, demo);
            if (canary != null) {
                LOG.info(() -> "replication canary on: " + canary);
            }
            collector = new ClusterCollector(client, null, TimeSource.SYSTEM, RequestTimingConfig.defaults(), canary);
            collector.start();
            LOG.info(() -> "collecting from " + String.join(",", client.seeds()));
        } catch (RuntimeException e) {
            if (demo != null) {
                demo.close();
            }
            throw e;
        }
        return new Collection(collector, demo);
    }

    /** The collector's configuration: as configured, or in demo mode aimed at the embedded cluster. */
    static ClientConfig clientConfig(ExporterConfig config, DemoCluster demo) {
        ClientConfig c = config.client();
        if (demo == null) {
            return c;
        }
        return ClientConfig.builder()
                .seeds(demo.seeds())
                .addressMap(demo.addressMap())
                .user(demo.user())
                .password(demo::password)
                .pollInterval(c.pollInterval())
                .requestTimeout(c.requestTimeout())
                .hardTimeout(c.hardTimeout())
                .connectTimeout(c.connectTimeout())
                .memberRetention(c.memberRetention())
                .expectedMembers(c.expectedMembers())
                .backoff(c.backoffInitial(), c.backoffMax())
                .lineLimits(c.maxLineBytes(), c.maxClusterStateLineBytes())
                .pendingInterval(c.pendingInterval())
                .maxMembers(c.maxMembers())
                .pendingMaxAge(c.pendingMaxAge())
                .build();
    }

    /**
     * The canary configuration ({@code null} when off): as configured, or in demo mode with the embedded
     * cluster's token. The token is read through its source, never copied.
     */
    static CanaryConfig canaryConfig(ExporterConfig config, DemoCluster demo) {
        CanaryConfig c = config.canary();
        if (c == null || demo == null) {
            return c;
        }
        return new CanaryConfig(
                c.database(),
                c.key(),
                demo::canaryToken,
                c.interval(),
                c.timeout(),
                c.instance(),
                c.sentinelInterval());
    }

    @Override
    public ClusterSnapshotSource source() {
        return collector;
    }

    @Override
    public void close() {
        collector.close();
        if (demo != null) {
            demo.close();
        }
    }
}
