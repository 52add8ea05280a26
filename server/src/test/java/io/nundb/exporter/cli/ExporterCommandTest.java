package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExporterCommandTest {
    static final Map<String, String> CREDENTIALS = Map.of("NUN_USER", "admin", "NUN_PWD", "s3cret-pwd");

    static ExporterConfig parse(Map<String, String> env, String... args) throws ConfigException {
        ExporterCommand command = new ExporterCommand();
        new CommandLine(command).parseArgs(args);
        return command.resolve(env);
    }

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>(CREDENTIALS);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void appliesDefaults() throws ConfigException {
        ExporterConfig c = parse(env(), "--nundb.address", "db:3014");

        assertThat(c.addresses()).containsExactly("db:3014");
        assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.hardTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.maxInFlight()).isEqualTo(8);
        assertThat(c.memberRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(c.listenHost()).isEmpty();
        assertThat(c.listenPort()).isEqualTo(9898);
        assertThat(c.telemetryPath()).isEqualTo("/metrics");
        assertThat(c.renderMinInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.logFormat()).isEqualTo("logfmt");
        assertThat(c.canaryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.canaryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.pendingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.expectedMembers()).isZero();
        assertThat(c.compatNode()).isNull();
        assertThat(c.demo()).isFalse();
        assertThat(c.user()).isEqualTo("admin");
        assertThat(c.password().current()).isEqualTo("s3cret-pwd");
    }

    @Test
    void everyFlagHasAnEnvironmentTwinAndTheFlagWins() throws ConfigException {
        Map<String, String> env = env(
                "NUNDB_ADDRESS", "a:3014, b:3014",
                "NUNDB_ADDRESS_MAP", "0.0.0.0:3014=a:3014",
                "NUNDB_USER", "ops",
                "NUNDB_POLL_INTERVAL", "500ms",
                "NUNDB_REQUEST_TIMEOUT", "1s",
                "NUNDB_MAX_IN_FLIGHT", "4",
                "NUNDB_EXPECTED_MEMBERS", "3",
                "WEB_LISTEN_ADDRESS", "127.0.0.1:9100",
                "WEB_TELEMETRY_PATH", "/prom",
                "RENDER_MIN_INTERVAL", "2s",
                "LOG_LEVEL", "DEBUG",
                "LOG_FORMAT", "json",
                "COMPAT_LEGACY_METRICS", "true",
                "CANARY_INTERVAL", "1m30s",
                "PENDING_INTERVAL", "1h");

        ExporterConfig fromEnv = parse(env);
        ExporterConfig flagged = parse(env, "--nundb.poll-interval", "2s", "--nundb.address", "c:3014");

        assertThat(fromEnv.addresses()).containsExactly("a:3014", "b:3014");
        assertThat(fromEnv.addressMap()).containsEntry("0.0.0.0:3014", "a:3014");
        assertThat(fromEnv.user()).isEqualTo("ops");
        assertThat(fromEnv.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(fromEnv.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fromEnv.maxInFlight()).isEqualTo(4);
        assertThat(fromEnv.expectedMembers()).isEqualTo(3);
        assertThat(fromEnv.listenHost()).isEqualTo("127.0.0.1");
        assertThat(fromEnv.listenPort()).isEqualTo(9100);
        assertThat(fromEnv.telemetryPath()).isEqualTo("/prom");
        assertThat(fromEnv.renderMinInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fromEnv.logLevel()).isEqualTo("debug");
        assertThat(fromEnv.logFormat()).isEqualTo("json");
        assertThat(fromEnv.compatLegacyMetrics()).isTrue();
        assertThat(fromEnv.compatNode()).isEqualTo("a:3014");
        assertThat(fromEnv.canaryInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(fromEnv.pendingInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(flagged.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(flagged.addresses()).containsExactly("c:3014");
    }

    @Test
    void nunUrlOnTheHttpPortOrWithoutPortMapsToTcp3014WithANotice() throws ConfigException {
        ExporterConfig withPort = parse(env("NUN_URL", "http://db.example:3013"), "--compat.legacy-metrics");
        ExporterConfig withoutPort = parse(env("NUN_URL", "http://db.example"));

        assertThat(withPort.addresses()).containsExactly("db.example:3014");
        assertThat(withPort.compatNode()).isEqualTo("db.example:3014");
        assertThat(withPort.notices())
                .singleElement()
                .asString()
                .contains("db.example:3014")
                .contains("NUN_URL");
        assertThat(withoutPort.addresses()).containsExactly("db.example:3014");
    }

    @Test
    void nunUrlWithAnyOtherPortIsAConfigurationError() {
        assertThatThrownBy(() -> parse(env("NUN_URL", "http://db:8080")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("8080")
                .hasMessageContaining("3013");
    }

    @Test
    void rejectsOutOfRangeValuesWithTheFlagName() {
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a:3014", "--nundb.request-timeout", "50ms"))
                .hasMessageContaining("--nundb.request-timeout");
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a:3014", "--nundb.max-in-flight", "21"))
                .hasMessageContaining("--nundb.max-in-flight");
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a:3014", "--log.format", "xml"))
                .hasMessageContaining("--log.format");
        assertThatThrownBy(() -> parse(env("NUNDB_POLL_INTERVAL", "1x"), "--nundb.address", "a:3014"))
                .hasMessageContaining("NUNDB_POLL_INTERVAL");
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a:3014", "--web.listen-address", "9898"))
                .hasMessageContaining("--web.listen-address");
    }

    @Test
    void neitherAddressNorDemoNamesBothOptions() {
        assertThatThrownBy(() -> parse(env()))
                .hasMessageContaining("--nundb.address")
                .hasMessageContaining("--demo");
    }

    @Test
    void demoNeedsNoCredentialsButRefusesAnAddress() throws ConfigException {
        ExporterConfig demo = parse(Map.of(), "--demo");

        assertThat(demo.demo()).isTrue();
        assertThat(demo.user()).isNull();
        assertThatThrownBy(() -> parse(env(), "--demo", "--nundb.address", "a:3014"))
                .hasMessageContaining("--demo");
    }

    @Test
    void liveModeNeedsUserAndPassword() {
        assertThatThrownBy(() -> parse(Map.of("NUN_PWD", "x"), "--nundb.address", "a:3014"))
                .hasMessageContaining("user");
        assertThatThrownBy(() -> parse(Map.of("NUN_USER", "x"), "--nundb.address", "a:3014"))
                .hasMessageContaining("password");
    }

    @Test
    void configToStringNeverShowsThePassword() throws ConfigException {
        assertThat(parse(env(), "--nundb.address", "a:3014").toString())
                .doesNotContain("s3cret-pwd")
                .contains("NUN_PWD");
    }

    @Test
    void passwordFileIsReReadWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pwd");
        Files.writeString(file, "first\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000));

        ExporterConfig c =
                parse(Map.of("NUN_USER", "u"), "--nundb.address", "a:3014", "--nundb.password-file", file.toString());
        assertThat(c.password().current()).isEqualTo("first");

        Files.writeString(file, "second\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(2_000_000));
        assertThat(c.password().current()).isEqualTo("second");
        assertThat(c.password().toString()).doesNotContain("first").doesNotContain("second");
    }

    @Test
    void missingPasswordFileFailsAtStart(@TempDir Path dir) {
        assertThatThrownBy(() -> parse(
                        Map.of("NUN_USER", "u"),
                        "--nundb.address",
                        "a:3014",
                        "--nundb.password-file",
                        dir.resolve("absent").toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--nundb.password-file");
    }

    @Test
    void envTwinNamesFollowTheFlag() {
        assertThat(ExporterCommand.envName("--nundb.poll-interval")).isEqualTo("NUNDB_POLL_INTERVAL");
        assertThat(ExporterCommand.envName("--web.listen-address")).isEqualTo("WEB_LISTEN_ADDRESS");
    }
}
