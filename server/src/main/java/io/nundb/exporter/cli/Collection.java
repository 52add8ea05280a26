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
        ClientConfig.Builder b = ClientConfig.builder()
                .pollInterval(config.pollInterval())
                .requestTimeout(config.requestTimeout())
                .hardTimeout(config.hardTimeout())
                .connectTimeout(config.connectTimeout())
                .memberRetention(config.memberRetention())
                .expectedMembers(config.expectedMembers())
                .pendingInterval(config.pendingInterval());
        if (demo != null) {
            b.seeds(demo.seeds())
                    .addressMap(demo.addressMap())
                    .user(demo.user())
                    .password(demo::password);
        } else {
            b.seeds(config.addresses())
                    .addressMap(config.addressMap())
                    .user(config.user())
                    .password(config.password()::current);
        }
        CanaryConfig canary = canaryConfig(config, demo);
        if (canary != null) {
            LOG.info(() -> "replication canary on: " + canary);
        }
        ClusterCollector collector;
        try {
            collector =
                    new ClusterCollector(b.build(), null, TimeSource.SYSTEM, RequestTimingConfig.defaults(), canary);
        } catch (RuntimeException e) {
            if (demo != null) {
                demo.close();
            }
            throw e;
        }
        collector.start();
        LOG.info(() -> "collecting from " + String.join(",", b.build().seeds()));
        return new Collection(collector, demo);
    }

    /**
     * The canary configuration: always in demo mode, else only with a token (--canary.token-file or env
     * NUNDB_CANARY_TOKEN); {@code null} when off. The token is read through its source, never copied.
     */
    static CanaryConfig canaryConfig(ExporterConfig config, DemoCluster demo) {
        if (demo != null) {
            return CanaryConfig.of(
                    config.canaryDatabase(), demo::canaryToken, config.canaryInterval(), config.canaryTimeout());
        }
        if (config.canaryToken() == null) {
            return null;
        }
        return CanaryConfig.of(
                config.canaryDatabase(),
                config.canaryToken()::current,
                config.canaryInterval(),
                config.canaryTimeout());
    }

    @Override
    public ClusterSnapshotSource source() {
        return collector;
    }

    @Override
    public boolean collectorFailed() {
        return collector.failure() != null;
    }

    @Override
    public void close() {
        collector.close();
        if (demo != null) {
            demo.close();
        }
    }
}
