package io.nundb.exporter.cli;

import io.nundb.exporter.http.ExporterHttpServer;
import io.nundb.exporter.http.MetricsPublisher;
import io.nundb.exporter.http.WebConfig;
import io.nundb.exporter.http.WebConfigException;
import io.nundb.exporter.http.WebConfigWatcher;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running HTTP side of the exporter: the publisher thread and the HTTP server, fed by a
 * {@link ClusterSnapshotSource}, and the SIGHUP reload of the web config and the secret files. The
 * collector is started separately (see {@link Main}).
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called by the main thread; {@link #reload} by
 * the signal dispatch thread (never an event loop), serialized; {@link #close} is idempotent.
 */
public final class ExporterApp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExporterApp.class.getName());

    private final ExporterConfig config;
    private final MetricsPublisher publisher;
    private final ExporterHttpServer server;
    private final AtomicLong reloadSuccesses;
    private final AtomicLong reloadFailures;
    private boolean closed;

    private ExporterApp(
            ExporterConfig config,
            MetricsPublisher publisher,
            ExporterHttpServer server,
            AtomicLong reloadSuccesses,
            AtomicLong reloadFailures) {
        this.config = config;
        this.publisher = publisher;
        this.server = server;
        this.reloadSuccesses = reloadSuccesses;
        this.reloadFailures = reloadFailures;
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
        AtomicLong successes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        // As Prometheus's and Alertmanager's prometheus_config_reloads_total, by result.
        processRegistry.register(() -> CounterSnapshot.builder()
                .name("nundb_exporter_config_reloads")
                .help("Reloads of the web config and the secret files on SIGHUP, by result.")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("result", "success"))
                        .value(successes.get())
                        .build())
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("result", "failure"))
                        .value(failures.get())
                        .build())
                .build());
        MetricsPublisher publisher = new MetricsPublisher(config.endpoint(), source, processRegistry, System::nanoTime);
        publisher.start();
        try {
            ExporterHttpServer server = ExporterHttpServer.start(publisher, 1, config.web());
            return new ExporterApp(config, publisher, server, successes, failures);
        } catch (InterruptedException | WebConfigException | RuntimeException e) {
            publisher.close(0);
            throw e;
        }
    }

    /** The bound HTTP port. */
    public int port() {
        return server.port();
    }

    /**
     * Re-reads the web config file and the secret files (admin password, canary token) and uses them only
     * if all of them load: a failed reload keeps everything as it was. Counted in
     * {@code nundb_exporter_config_reloads_total{result}}; blocks on file reads.
     *
     * @return whether the reload succeeded ({@code false}, uncounted, after {@link #close()})
     */
    public synchronized boolean reload() {
        if (closed) {
            return false; // a SIGHUP racing the shutdown: the watcher's thread is gone
        }
        WebConfigWatcher watcher = server.webConfigWatcher();
        WebConfig web;
        String password;
        String token;
        try {
            web = watcher.load();
            password = config.password().readNow();
            token = config.canaryToken() == null ? null : config.canaryToken().readNow();
        } catch (WebConfigException | ConfigException e) {
            reloadFailures.incrementAndGet();
            LOG.log(
                    Level.SEVERE,
                    "configuration reload failed, keeping the previous one: " + ConfigException.reason(e));
            return false;
        }
        watcher.use(web);
        config.password().use(password);
        if (token != null) {
            config.canaryToken().use(token);
        }
        reloadSuccesses.incrementAndGet();
        LOG.info("configuration reloaded");
        return true;
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
