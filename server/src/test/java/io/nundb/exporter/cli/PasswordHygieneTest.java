package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.sim.Garbling;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the exporter against a simulated cluster with a random admin password, with every logger (root
 * and Netty) at TRACE, through auth rejections, garbled replies, resets and a kill, and searches
 * everything the exporter says for the password: the log, {@code /}, {@code /metrics} (text and
 * OpenMetrics), {@code /probe}, {@code /discovery}, {@code --help}, configuration errors and the
 * configuration's {@code toString()}; raw, hex, base64 and URL-encoded.
 *
 * <p>Thread-safety: a test; single-threaded apart from the exporter it drives.
 */
class PasswordHygieneTest {
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void restoreLogging() throws Exception {
        LogManager.getLogManager().readConfiguration();
    }

    static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        // Base64url: letters, digits, '-' and '_' (a valid single Nun-db token).
        return "Pw" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Every form under which a password could leak. */
    static List<String> forms(String user, String password) {
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>();
        forms.add(password);
        forms.add(HexFormat.of().formatHex(p));
        forms.add(HexFormat.of().formatHex(p).toUpperCase(Locale.ROOT));
        forms.add(HexFormat.ofDelimiter(" ").formatHex(p));
        forms.add(HexFormat.ofDelimiter(" ").formatHex(p).toUpperCase(Locale.ROOT));
        for (String prefix : new String[] {"", "a", "ab"}) {
            // Base64 of the password at each alignment, minus the edge characters the prefix touches.
            String b64 = Base64.getEncoder().encodeToString((prefix + password).getBytes(StandardCharsets.UTF_8));
            forms.add(b64.substring(4, b64.length() - 4));
            String url = Base64.getUrlEncoder().encodeToString((prefix + password).getBytes(StandardCharsets.UTF_8));
            forms.add(url.substring(4, url.length() - 4));
        }
        forms.add(Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        forms.add(URLEncoder.encode(password, StandardCharsets.UTF_8));
        forms.add(URLEncoder.encode("auth " + user + " " + password, StandardCharsets.UTF_8));
        return forms;
    }

    static void assertNoPassword(String where, String text, List<String> forms) {
        for (String f : forms) {
            assertThat(text)
                    .as(where + " must not contain the password (form " + f.length() + " chars)")
                    .doesNotContain(f);
        }
    }

    @Test
    void thePasswordNeverAppearsInLogsPagesMetricsHelpOrErrors() throws Exception {
        String user = "admin";
        String password = randomPassword();
        List<String> forms = forms(user, password);
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        LoggingSetup.configure("trace", "logfmt", logStream);
        Map<String, String> env = new HashMap<>();
        env.put("NUNDB_EXPORTER_NUNDB_PASSWORD", password);
        env.put("NUNDB_EXPORTER_NUNDB_USER", user);
        List<String> bodies = new ArrayList<>();

        try (SimulatedCluster cluster = SimulatedCluster.builder()
                .size(3)
                .names(i -> "nundb-" + i + ":3014")
                .credentials(user, password)
                .start()) {
            List<String> args = new ArrayList<>(List.of(
                    "--nundb.address", "127.0.0.1:" + cluster.node(0).port(),
                    "--web.listen-address", "127.0.0.1:0",
                    "--nundb.poll-interval", "100ms",
                    "--nundb.request-timeout", "100ms",
                    "--nundb.connect-timeout", "200ms",
                    "--log.level", "trace"));
            for (SimulatedNode n : cluster.nodes()) {
                args.add("--nundb.address-map");
                args.add(n.name() + "=127.0.0.1:" + n.port());
            }
            ExporterConfig config = ExporterCommandTest.parse(env, args.toArray(new String[0]));
            assertNoPassword("ExporterConfig.toString()", config.toString(), forms);
            RunningCollection collection = Collection.start(config);
            try (ExporterApp app = ExporterApp.start(config, collection.source())) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + app.port();
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(get(http, base + "/metrics"))
                                .contains("nundb_up{node=\"nundb-2:3014\"} 1.0"));

                SimulatedNode faulty = cluster.node(2);
                faulty.rejectAuth(true);
                faulty.resetConnections();
                await().until(() -> !get(http, base + "/metrics")
                        .contains("nundb_exporter_poll_errors_total{node=\"nundb-2:3014\",reason=\"auth\"} 0.0"));
                faulty.rejectAuth(false);
                faulty.garble(Garbling.CORRUPT_METRICS_STATE);
                await().until(() -> !get(http, base + "/metrics")
                        .contains("nundb_exporter_poll_errors_total{node=\"nundb-2:3014\",reason=\"protocol\"} 0.0"));
                faulty.garble(Garbling.STRAY_LINE);
                faulty.resetConnections();
                faulty.garble(Garbling.NONE);
                cluster.kill(2);
                await().until(() -> get(http, base + "/metrics").contains("nundb_up{node=\"nundb-2:3014\"} 0.0"));
                cluster.restart(2);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> get(http, base + "/metrics").contains("nundb_up{node=\"nundb-2:3014\"} 1.0"));

                for (String path : new String[] {
                    "/", "/metrics", "/probe?target=nundb-0:3014", "/discovery", "/-/healthy", "/-/ready", "/nope"
                }) {
                    bodies.add(path + "\n" + get(http, base + path));
                }
                bodies.add(sendWithAccept(http, base + "/metrics", "application/openmetrics-text; version=1.0.0"));
            } finally {
                collection.close();
            }
        }

        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged)
                .as("TRACE logging was on and captured")
                .contains("level=debug")
                .contains("nundb-2:3014");
        assertNoPassword("the TRACE log", logged, forms);
        for (String body : bodies) {
            assertNoPassword("an HTTP response", body, forms);
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(
                new String[] {"--help"},
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--nundb.password-file");
        assertNoPassword("--help", out.toString(StandardCharsets.UTF_8) + err, forms);

        for (String[] bad : new String[][] {
            {"--nundb.address", "x"},
            {"--nundb.address", "db:3014", "--nundb.poll-interval", "soon"},
            {"--nundb.address", "db:3014", "--no-such-flag"},
            {"--nundb.address", "db:3014", "--web.config.file", "/nonexistent/web.yml"}
        }) {
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            Map<String, String> badEnv = new HashMap<>(env);
            int code = Main.run(
                    bad,
                    badEnv,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(e, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(2);
            assertNoPassword("a configuration error", e.toString(StandardCharsets.UTF_8), forms);
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String sendWithAccept(HttpClient http, String url, String accept) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Accept", accept)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
