package io.nundb.exporter.cli;

import io.nundb.exporter.http.ExporterHttpServer;
import io.nundb.exporter.http.MetricsPublisher;
import io.nundb.exporter.http.ScrapeEndpointConfig;
import io.nundb.exporter.http.WebConfigException;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The running HTTP side of the exporter: the publisher thread and the HTTP server, fed by a
 * {@link ClusterSnapshotSource}. The collector is started separately (see {@link Main}).
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called by the main thread or the shutdown
 * hook; {@link #close} is idempotent.
 */
public final class ExporterApp implements AutoCloseable {
    private final MetricsPublisher publisher;
    private final ExporterHttpServer server;
    private boolean closed;

    private ExporterApp(MetricsPublisher publisher, ExporterHttpServer server) {
        this.publisher = publisher;
        this.server = server;
    }

    /**
     * Starts the publisher and binds the HTTP server; throws Netty's bind exception if the port is taken.
     *
     * @throws WebConfigException if {@code --web.config.file} does not load
     */
    public static ExporterApp start(ExporterConfig config, ClusterSnapshotSource source)
            throws InterruptedException, WebConfigException {
        PrometheusRegistry processRegistry = new PrometheusRegistry();
        JvmMetrics.builder().register(processRegistry);
        ScrapeEndpointConfig endpoint = ScrapeEndpointConfig.of(
                        config.listenHost(),
                        config.listenPort(),
                        config.telemetryPath(),
                        config.pollInterval(),
                        config.renderMinInterval(),
                        BuildInfo.version(),
                        BuildInfo.revision(),
                        config.demo(),
                        config.compatLegacyMetrics() ? config.compatNode() : null)
                .withIdleTimeout(config.webIdleTimeout());
        MetricsPublisher publisher = new MetricsPublisher(endpoint, source, processRegistry, System::nanoTime);
        publisher.start();
        try {
            return new ExporterApp(publisher, ExporterHttpServer.start(publisher, 1, config.web()));
        } catch (InterruptedException | WebConfigException | RuntimeException e) {
            publisher.close(0);
            throw e;
        }
    }

    /** The bound HTTP port. */
    public int port() {
        return server.port();
    }

    /** Stops accepting, lets in-flight scrapes finish (up to 5 s), then stops the publisher. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close(5000);
        publisher.close(1000);
    }
}
