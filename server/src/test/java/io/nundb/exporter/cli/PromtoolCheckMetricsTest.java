package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.sim.Garbling;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus ecosystem's own linter on live scrapes: {@code promtool check metrics} (Debian's
 * {@code prometheus} package) must have nothing to say about {@code /metrics} and {@code /probe} of the
 * demo and of a simulated cluster with faults (a node killed, one replying garbage, the canary on, the
 * legacy gauges on). promtool reads the text format; the OpenMetrics scrape of the same exporter is checked
 * for the rules of OpenMetrics 1.0 that a family's type imposes on its samples' names and labels, and
 * real Prometheus parses it in {@code deploy/e2e.sh}.
 *
 * <p>A missing promtool fails the test: it never skips.
 */
class PromtoolCheckMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private SimulatedCluster cluster;
    private Collection collection;
    private ExporterApp app;

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
        if (collection != null) {
            collection.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void promtoolFindsNothingInTheDemosScrape() throws Exception {
        start(Map.of(), "--demo", "--canary.interval=200ms");
        // Every kind of family has data points: request timings with a window, canary lag.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            String t = get("/metrics", null);
            return t.contains("nundb_cluster_members_up 3.0")
                    && t.contains("nundb_request_duration_window_seconds{")
                    && t.contains("nundb_request_duration_window_max_seconds{")
                    && t.contains("nundb_replication_canary_lag_seconds_bucket{");
        });

        assertClean("/metrics");
        assertClean("/probe?target=" + firstNode());
    }

    @Test
    void promtoolFindsNothingInTheScrapeOfAClusterWithFaults() throws Exception {
        String password = "pw-" + System.nanoTime();
        cluster = SimulatedCluster.builder()
                .size(3)
                .credentials("nun", password)
                .replicationDelay(1, Duration.ofMillis(30))
                .start();
        Path token = Files.writeString(dir.resolve("canary-token"), "canary-" + System.nanoTime());
        List<String> args = new ArrayList<>(List.of(
                "--nundb.address=127.0.0.1:" + cluster.node(0).port(),
                "--nundb.user=nun",
                "--nundb.poll-interval=100ms",
                "--nundb.request-timeout=300ms",
                "--nundb.connect-timeout=500ms",
                "--nundb.expected-members=3",
                "--canary.token-file=" + token,
                "--canary.interval=200ms",
                "--pending.interval=200ms",
                "--compat.legacy-metrics=true"));
        for (SimulatedNode n : cluster.nodes()) {
            args.add("--nundb.address-map=" + n.name() + "=127.0.0.1:" + n.port());
        }
        start(Map.of("NUN_PWD", password), args.toArray(String[]::new));
        String n1 = cluster.node(1).name();
        String n2 = cluster.node(2).name();
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> get("/metrics", null).contains("nundb_replication_canary_lag_seconds_bucket{"));

        cluster.node(2).kill();
        cluster.node(1).garble(Garbling.CORRUPT_METRICS_STATE);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            String t = get("/metrics", null);
            return t.contains("nundb_up{node=\"" + n2 + "\"} 0.0")
                    && !t.contains("nundb_exporter_poll_errors_total{node=\"" + n1 + "\",reason=\"protocol\"} 0.0");
        });

        assertClean("/metrics");
        assertClean("/probe?target=" + n1);
        assertClean("/probe?target=" + n2);
    }

    /** promtool prints nothing and exits 0 for the text scrape; the OpenMetrics scrape keeps the type rules. */
    private void assertClean(String path) throws Exception {
        String text = get(path, null);
        assertThat(text).contains("# TYPE nundb_");
        assertThat(promtoolCheckMetrics(text))
                .as("promtool check metrics on %s", path)
                .isEmpty();
        assertOpenMetricsTypeRules(get(path, OPENMETRICS), path);
    }

    /** promtool's complaints about {@code exposition} (empty when it has none); fails if promtool fails. */
    static String promtoolCheckMetrics(String exposition) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return fail("promtool is not installed: install Debian's prometheus package (apt-get install"
                    + " prometheus; ./test.sh runs its tools phase, which installs it, before the build): " + e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // the process ended; what was read is reported
            }
        });
        reader.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail("promtool check metrics did not finish within 30 s");
        }
        reader.join(5_000);
        String complaints = output.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue())
                .as("promtool exit code; output:\n%s", complaints)
                .isZero();
        return complaints;
    }

    /**
     * OpenMetrics 1.0: a sample's name is its family's name plus a suffix its type allows, {@code quantile}
     * appears only on summaries and {@code le} only on histogram buckets, and the body ends with
     * {@code # EOF}.
     */
    private static void assertOpenMetricsTypeRules(String body, String path) {
        assertThat(body).as(path).endsWith("# EOF\n");
        Map<String, String> types = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ");
                types.put(f[2], f[3]);
                continue;
            }
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            String name = line.substring(0, end);
            String family = null;
            String suffix = null;
            for (String s : new String[] {"", "_total", "_created", "_count", "_sum", "_bucket", "_info"}) {
                String base = name.endsWith(s) ? name.substring(0, name.length() - s.length()) : null;
                if (base != null && types.containsKey(base)) {
                    family = base;
                    suffix = s;
                    break;
                }
            }
            assertThat(family).as("%s: family of sample %s", path, line).isNotNull();
            String type = types.get(family);
            Set<String> allowed = switch (type) {
                case "counter" -> Set.of("_total", "_created");
                case "gauge", "unknown", "stateset" -> Set.of("");
                case "info" -> Set.of("_info");
                case "summary" -> Set.of("", "_count", "_sum", "_created");
                case "histogram", "gaugehistogram" -> Set.of("_bucket", "_count", "_sum", "_created");
                default -> Set.of();
            };
            assertThat(allowed).as("%s: suffix of %s in a %s", path, line, type).contains(suffix);
            assertThat(hasLabel(line, "quantile") && !(type.equals("summary") && suffix.isEmpty()))
                    .as("%s: quantile label outside a summary's quantiles: %s", path, line)
                    .isFalse();
            assertThat(hasLabel(line, "le") && !suffix.equals("_bucket"))
                    .as("%s: le label outside histogram buckets: %s", path, line)
                    .isFalse();
        }
    }

    private static boolean hasLabel(String sample, String label) {
        return sample.contains("{" + label + "=\"") || sample.contains("," + label + "=\"");
    }

    private void start(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--render.min-interval=100ms", "--web.listen-address=127.0.0.1:0"));
        ExporterConfig config = ExporterCommandTest.parse(env, all.toArray(String[]::new));
        collection = Collection.start(config);
        app = ExporterApp.start(config, collection.source());
    }

    private String firstNode() throws Exception {
        String t = get("/metrics", null);
        int i = t.indexOf("nundb_up{node=\"") + "nundb_up{node=\"".length();
        return t.substring(i, t.indexOf('"', i));
    }

    private String get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(5));
        if (accept != null) {
            b.header("Accept", accept);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return r.body();
    }
}
