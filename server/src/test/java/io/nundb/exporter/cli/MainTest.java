package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.ClusterSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(Map<String, String> env, String... args) {
        return Main.run(
                args,
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpNeverPrintsASecretEvenWhenSet() {
        Map<String, String> env = Map.of(
                "NUN_PWD", "hunter2-secret",
                "NUNDB_EXPORTER_NUNDB_PASSWORD", "other-secret",
                "NUN_USER", "admin-user",
                "NUNDB_EXPORTER_NUNDB_ADDRESS", "db:3014");

        assertThat(run(env, "--help")).isZero();
        assertThat(run(env, "healthcheck", "--help")).isZero();

        assertThat(out())
                .contains("--nundb.address", "--nundb.password-file", "--demo", "NUN_PWD", "healthcheck")
                .doesNotContain("hunter2-secret")
                .doesNotContain("other-secret")
                .doesNotContain("admin-user");
    }

    @Test
    void everyBadConfigurationIsOneLineExitTwoNeverEndingInNull(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Map<String, String> creds = Map.of("NUN_USER", "u", "NUN_PWD", "p");
        String[][] cases = {
            {"--demo", "--some-unknown-flag"},
            {"--demo", "--nundb.poll-interval=10000000000d"},
            {"--demo", "--canary.timeout=99999999999y"},
            {"--demo", "--web.idle-timeout="},
            {"--nundb.address=0.0.0.0:3014"},
            {"--nundb.address=fe80::1:3014"},
            {"--nundb.address=db:3014", "--nundb.address-map=n=[::]:3014"},
            {"--nundb.address=db:3014", "--nundb.password-file=" + empty},
            {"--nundb.address=db:3014", "--nundb.password-file=" + dir.resolve("absent")},
            {"--demo", "--web.config.file=" + dir.resolve("absent.yml")},
            {"--demo", "--web.listen-address=[::1"},
            {"--demo", "--log.level=loud"},
            {"--demo=maybe"},
        };
        for (String[] args : cases) {
            err.reset();

            assertThat(run(creds, args)).as(String.join(" ", args)).isEqualTo(2);

            assertThat(err().strip().lines()).as(String.join(" ", args)).hasSize(1);
            assertThat(err().strip())
                    .as(String.join(" ", args))
                    .startsWith("nundb-exporter: ")
                    .doesNotEndWith("null")
                    .doesNotContain("Exception");
        }
        assertThat(run(creds, "--demo", "--some-unknown-flag")).isEqualTo(2);
        assertThat(err()).contains("--some-unknown-flag").doesNotContain("true or false");
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(run(Map.of(), "--version")).isZero();
        assertThat(out()).startsWith("nundb-exporter ");
    }

    @Test
    void neitherAddressNorDemoExitsTwoWithOneLineNamingBoth() {
        assertThat(run(Map.of())).isEqualTo(2);

        assertThat(err()).contains("--nundb.address").contains("--demo");
        assertThat(err().strip().lines()).hasSize(1);
    }

    @Test
    void badConfigurationExitsTwoWithOneLine() {
        assertThat(run(
                        Map.of("NUN_USER", "u", "NUN_PWD", "p"),
                        "--nundb.address",
                        "a:3014",
                        "--nundb.poll-interval",
                        "soon"))
                .isEqualTo(2);
        assertThat(run(Map.of(), "--no-such-flag")).isEqualTo(2);
        assertThat(run(Map.of("NUN_URL", "http://db:9999", "NUN_USER", "u", "NUN_PWD", "p")))
                .isEqualTo(2);

        assertThat(err().strip().lines())
                .hasSize(3)
                .allSatisfy(l -> assertThat(l).startsWith("nundb-exporter: "))
                .noneSatisfy(l -> assertThat(l).contains("\tat "));
        assertThat(err())
                .doesNotContain("p\n")
                .contains("--nundb.poll-interval")
                .contains("--no-such-flag");
    }

    @Test
    void healthcheckExitsZeroOnHealthyAndOneWhenNothingListens() throws Exception {
        ExporterConfig config =
                ExporterCommandTest.parse(Map.of("NUNDB_EXPORTER_WEB_LISTEN_ADDRESS", "127.0.0.1:0"), "--demo");
        try (ExporterApp app = ExporterApp.start(config, new StaticSource())) {
            awaitHealthy(app.port());
            assertThat(run(Map.of(), "healthcheck", "--web.listen-address", "127.0.0.1:" + app.port()))
                    .isZero();
        }
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        assertThat(run(Map.of("NUNDB_EXPORTER_WEB_LISTEN_ADDRESS", ":" + free), "healthcheck", "--timeout", "1s"))
                .isEqualTo(1);
    }

    @Test
    void exporterAppServesTheSourceInDemoMode() throws Exception {
        ExporterConfig config =
                ExporterCommandTest.parse(Map.of("NUNDB_EXPORTER_WEB_LISTEN_ADDRESS", "127.0.0.1:0"), "--demo");
        try (ExporterApp app = ExporterApp.start(config, new StaticSource())) {
            awaitHealthy(app.port());
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).contains("nundb_exporter_build_info{mode=\"demo\"");
        }
    }

    private static void awaitHealthy(int port) {
        org.awaitility.Awaitility.await()
                .until(() -> HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/healthy"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
    }

    /** A source with an empty cluster, standing in for the collector. */
    static final class StaticSource implements io.nundb.exporter.model.ClusterSnapshotSource {
        @Override
        public ClusterSnapshot snapshot() {
            return ClusterSnapshot.EMPTY;
        }

        @Override
        public boolean firstCollectionComplete() {
            return true;
        }
    }
}
