package io.nundb.exporter.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.client.ClientConfig;
import io.nundb.exporter.client.ClusterCollector;
import io.nundb.exporter.client.TimeSource;
import io.nundb.exporter.http.ExporterHttpServer;
import io.nundb.exporter.http.MetricsPublisher;
import io.nundb.exporter.http.ScrapeEndpointConfig;
import io.nundb.exporter.http.WebServerOptions;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The whole exporter (real collector, publisher and HTTP server) watching a {@link SimulatedCluster}
 * on loopback with small intervals, plus scrape parsing and a blocked-thread probe for fault tests.
 *
 * <p>Thread-safety: used by one test thread.
 */
final class SimulatedExporter implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(200);
    // Not the 100 ms minimum: on two shared cores under paranoid leak detection a healthy node's reply
    // can take longer, and the suite asserts that healthy nodes see no timeout at all.
    static final Duration REQUEST_TIMEOUT = Duration.ofMillis(300);
    static final Duration HARD_TIMEOUT = Duration.ofMillis(600);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    static final Duration BACKOFF_INITIAL = Duration.ofMillis(50);
    static final Duration BACKOFF_MAX = Duration.ofMillis(400);

    final SimulatedCluster cluster;
    final ClusterCollector collector;
    final MetricsPublisher publisher;
    final ExporterHttpServer server;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The {@code Authorization} header {@link #scrape()} sends, or {@code null}. */
    volatile String authorization;

    SimulatedExporter(SimulatedCluster cluster, String user, String password) throws Exception {
        this(cluster, user, password, POLL);
    }

    /**
     * With another poll interval; from 1 s up, production-like timeouts (request 500 ms, hard 2 s,
     * connect 1 s, backoff 200 ms to 5 s) instead of the fault suite's small ones.
     */
    SimulatedExporter(SimulatedCluster cluster, String user, String password, Duration poll) throws Exception {
        this(cluster, user, password, poll, UnaryOperator.identity(), null);
    }

    /** With another poll interval and {@code tune} applied last to the client configuration. */
    SimulatedExporter(
            SimulatedCluster cluster,
            String user,
            String password,
            Duration poll,
            UnaryOperator<ClientConfig.Builder> tune)
            throws Exception {
        this(cluster, user, password, poll, tune, null);
    }

    /** With a web config file (TLS, basic auth) for the HTTP endpoint, or {@code null}. */
    SimulatedExporter(SimulatedCluster cluster, String user, String password, Duration poll, Path webConfig)
            throws Exception {
        this(cluster, user, password, poll, UnaryOperator.identity(), webConfig);
    }

    /** With another poll interval, {@code tune} applied last to the client configuration, and a web config. */
    SimulatedExporter(
            SimulatedCluster cluster,
            String user,
            String password,
            Duration poll,
            UnaryOperator<ClientConfig.Builder> tune,
            Path webConfig)
            throws Exception {
        this.cluster = cluster;
        boolean slow = poll.compareTo(Duration.ofSeconds(1)) >= 0;
        Map<String, String> map = new LinkedHashMap<>();
        for (SimulatedNode n : cluster.nodes()) {
            map.put(n.name(), "127.0.0.1:" + n.port());
        }
        ClientConfig.Builder builder = ClientConfig.builder()
                .seeds(List.of("127.0.0.1:" + cluster.node(0).port()))
                .addressMap(map)
                .user(user)
                .password(() -> password)
                .pollInterval(poll)
                .requestTimeout(slow ? Duration.ofMillis(500) : REQUEST_TIMEOUT)
                .hardTimeout(slow ? Duration.ofSeconds(2) : HARD_TIMEOUT)
                .connectTimeout(slow ? Duration.ofSeconds(1) : CONNECT_TIMEOUT)
                .backoff(slow ? Duration.ofMillis(200) : BACKOFF_INITIAL, slow ? Duration.ofSeconds(5) : BACKOFF_MAX)
                .pendingInterval(slow ? Duration.ofSeconds(5) : Duration.ofMillis(200));
        ClientConfig config = tune.apply(builder).build();
        collector = new ClusterCollector(config, null, TimeSource.SYSTEM, RequestTimingConfig.defaults());
        collector.start();
        publisher = new MetricsPublisher(
                ScrapeEndpointConfig.of("127.0.0.1", 0, "/metrics", poll, Duration.ZERO, "0", "test", false, null),
                collector,
                new PrometheusRegistry(),
                System::nanoTime);
        publisher.start();
        server = ExporterHttpServer.start(
                publisher, 1, WebServerOptions.DEFAULTS.withWebConfigFile(webConfig, Duration.ofSeconds(5)));
    }

    /** One scrape of /metrics as series (name and labels, verbatim) to value; fails unless 200 within 2 s. */
    Map<String, Double> scrape() throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .timeout(Duration.ofSeconds(2));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    /** The status code of a GET of {@code path}; fails unless answered within 2 s. */
    int status(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** The series of one node that must not move while another node is faulty. */
    static Map<String, Double> stableSeriesOf(Map<String, Double> scrape, String node, boolean withRole) {
        Map<String, Double> out = new LinkedHashMap<>();
        String label = "node=\"" + node + "\"";
        for (Map.Entry<String, Double> e : scrape.entrySet()) {
            String k = e.getKey();
            if (!k.contains(label)) {
                continue;
            }
            boolean stable = k.startsWith("nundb_up{")
                    || k.startsWith("nundb_oplog_")
                    || k.startsWith("nundb_replication_time_ema_seconds{")
                    || k.startsWith("nundb_query_time_ema_seconds{")
                    || k.startsWith("nundb_exporter_poll_errors_total{")
                    || k.startsWith("nundb_exporter_connects_total{")
                    || k.startsWith("nundb_exporter_truncated_lines_total{")
                    || (withRole && k.startsWith("nundb_node_role{"));
            if (stable) {
                out.put(k, e.getValue());
            }
        }
        return out;
    }

    /** Names of exporter threads (HTTP, Nun-db client, publisher, collector) currently BLOCKED. */
    static List<String> blockedExporterThreads() {
        return java.util.Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .filter(t -> t.getThreadState() == Thread.State.BLOCKED)
                .map(ThreadInfo::getThreadName)
                .filter(n -> n.startsWith("nundb-http")
                        || n.startsWith("nundb-client")
                        || n.startsWith("nundb-publisher")
                        || n.startsWith("nundb-collector"))
                .toList();
    }

    @Override
    public void close() {
        server.close(200);
        publisher.close(200);
        collector.close();
        cluster.close();
    }
}
