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

class ExporterCommandTest {
    static final Map<String, String> CREDENTIALS = Map.of("NUN_USER", "admin", "NUN_PWD", "s3cret-pwd");

    static ExporterConfig parse(Map<String, String> env, String... args) throws ConfigException {
        return ExporterCommand.resolve(ExporterCommand.commandLine().parseArgs(args), env);
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

        assertThat(c.client().seeds()).containsExactly("db:3014");
        assertThat(c.client().pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.client().pendingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.client().pendingMaxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.client().requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.client().hardTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.client().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.client().memberRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(c.endpoint().host()).isEmpty();
        assertThat(c.endpoint().port()).isEqualTo(9898);
        assertThat(c.endpoint().telemetryPath()).isEqualTo("/metrics");
        assertThat(c.endpoint().renderMinInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.logFormat()).isEqualTo("logfmt");
        assertThat(c.canary()).isNull();
        assertThat(c.client().pendingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.client().expectedMembers()).isZero();
        assertThat(c.endpoint().compatNode()).isNull();
        assertThat(c.demo()).isFalse();
        assertThat(c.client().user()).isEqualTo("admin");
        assertThat(c.password().current()).isEqualTo("s3cret-pwd");
    }

    @Test
    void everyFlagHasAnEnvironmentTwinAndTheFlagWins() throws ConfigException {
        Map<String, String> env = env(
                "NUNDB_EXPORTER_NUNDB_ADDRESS", "a:3014, b:3014",
                "NUNDB_EXPORTER_NUNDB_ADDRESS_MAP", "0.0.0.0:3014=a:3014",
                "NUNDB_EXPORTER_NUNDB_USER", "ops",
                "NUNDB_EXPORTER_NUNDB_POLL_INTERVAL", "500ms",
                "NUNDB_EXPORTER_NUNDB_REQUEST_TIMEOUT", "1s",
                "NUNDB_EXPORTER_NUNDB_EXPECTED_MEMBERS", "3",
                "NUNDB_EXPORTER_WEB_LISTEN_ADDRESS", "127.0.0.1:9100",
                "NUNDB_EXPORTER_WEB_TELEMETRY_PATH", "/prom",
                "NUNDB_EXPORTER_RENDER_MIN_INTERVAL", "2s",
                "NUNDB_EXPORTER_LOG_LEVEL", "DEBUG",
                "NUNDB_EXPORTER_LOG_FORMAT", "json",
                "NUNDB_EXPORTER_COMPAT_LEGACY_METRICS", "true",
                "NUNDB_EXPORTER_CANARY_TOKEN", "t",
                "NUNDB_EXPORTER_CANARY_INTERVAL", "1m30s",
                "NUNDB_EXPORTER_PENDING_INTERVAL", "1h",
                "NUNDB_EXPORTER_PENDING_MAX_AGE", "2h");

        ExporterConfig fromEnv = parse(env);
        ExporterConfig flagged = parse(env, "--nundb.poll-interval", "2s", "--nundb.address", "c:3014");

        assertThat(fromEnv.client().seeds()).containsExactly("a:3014", "b:3014");
        assertThat(fromEnv.client().addressMap()).containsEntry("0.0.0.0:3014", "a:3014");
        assertThat(fromEnv.client().user()).isEqualTo("ops");
        assertThat(fromEnv.client().pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(fromEnv.client().requestTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fromEnv.client().expectedMembers()).isEqualTo(3);
        assertThat(fromEnv.endpoint().host()).isEqualTo("127.0.0.1");
        assertThat(fromEnv.endpoint().port()).isEqualTo(9100);
        assertThat(fromEnv.endpoint().telemetryPath()).isEqualTo("/prom");
        assertThat(fromEnv.endpoint().renderMinInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fromEnv.logLevel()).isEqualTo("debug");
        assertThat(fromEnv.logFormat()).isEqualTo("json");
        assertThat(fromEnv.endpoint().compatNode()).isEqualTo("a:3014");
        assertThat(fromEnv.canary().interval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(fromEnv.client().pendingInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(fromEnv.client().pendingMaxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(flagged.client().pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(flagged.client().seeds()).containsExactly("c:3014");
    }

    @Test
    void nunUrlOnTheHttpPortOrWithoutPortMapsToTcp3014WithANotice() throws ConfigException {
        ExporterConfig withPort = parse(env("NUN_URL", "http://db.example:3013"), "--compat.legacy-metrics");
        ExporterConfig withoutPort = parse(env("NUN_URL", "http://db.example"));

        assertThat(withPort.client().seeds()).containsExactly("db.example:3014");
        assertThat(withPort.endpoint().compatNode()).isEqualTo("db.example:3014");
        assertThat(withPort.notices())
                .singleElement()
                .asString()
                .contains("db.example:3014")
                .contains("NUN_URL");
        assertThat(withoutPort.client().seeds()).containsExactly("db.example:3014");
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
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> parse(env(), "--nundb.address", "a:3014", "--log.format", "xml"))
                .hasMessageContaining("--log.format");
        assertThatThrownBy(() -> parse(env("NUNDB_EXPORTER_NUNDB_POLL_INTERVAL", "1x"), "--nundb.address", "a:3014"))
                .hasMessageContaining("NUNDB_EXPORTER_NUNDB_POLL_INTERVAL");
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
        assertThat(demo.password().isPresent()).isFalse();
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
    void envTwinNamesFollowTheFlagWithThePrefix() {
        assertThat(Flags.POLL_INTERVAL.env()).isEqualTo("NUNDB_EXPORTER_NUNDB_POLL_INTERVAL");
        assertThat(Flags.LISTEN_ADDRESS.env()).isEqualTo("NUNDB_EXPORTER_WEB_LISTEN_ADDRESS");
        assertThat(Flags.DEMO.env()).isEqualTo("NUNDB_EXPORTER_DEMO");
        assertThat(Flags.LOG_LEVEL.env()).isEqualTo("NUNDB_EXPORTER_LOG_LEVEL");
        for (Flag<?> f : Flags.ALL) {
            assertThat(f.env()).startsWith("NUNDB_EXPORTER_").matches("[A-Z0-9_]+");
        }
    }

    @Test
    void unprefixedTwinsAreNoLongerRead() {
        // DEMO=true alone used to start a demo; LOG_LEVEL=WARNING crash-looped a pod.
        assertThatThrownBy(() -> parse(Map.of("DEMO", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nothing to watch");
        assertThatThrownBy(() -> parse(env("NUNDB_ADDRESS", "a:3014"))).hasMessageContaining("nothing to watch");
    }

    @Test
    void levelNamesAreCaseInsensitiveAndWarningMeansWarn() throws ConfigException {
        assertThat(parse(Map.of("NUNDB_EXPORTER_LOG_LEVEL", "WARNING"), "--demo")
                        .logLevel())
                .isEqualTo("warn");
        assertThat(parse(Map.of(), "--demo", "--log.level=Warning").logLevel()).isEqualTo("warn");
        assertThat(parse(Map.of(), "--demo", "--log.level=DEBUG").logLevel()).isEqualTo("debug");
        assertThatThrownBy(() -> parse(Map.of(), "--demo", "--log.level=verbose"))
                .hasMessageContaining("--log.level");
    }

    @Test
    void legacyVariablesComeAfterThePrefixedTwins() throws ConfigException {
        ExporterConfig c = parse(Map.of(
                "NUN_USER", "legacy",
                "NUNDB_EXPORTER_NUNDB_USER", "prefixed",
                "NUN_PWD", "legacy-pwd",
                "NUNDB_EXPORTER_NUNDB_PASSWORD", "prefixed-pwd",
                "NUN_URL", "http://legacy:3013",
                "NUNDB_EXPORTER_NUNDB_ADDRESS", "prefixed:3014"));

        assertThat(c.client().user()).isEqualTo("prefixed");
        assertThat(c.password().current()).isEqualTo("prefixed-pwd");
        assertThat(c.client().seeds()).containsExactly("prefixed:3014");
        assertThat(parse(Map.of("NUN_USER", "legacy", "NUN_PWD", "p", "NUN_URL", "http://legacy:3013"))
                        .client()
                        .user())
                .isEqualTo("legacy");
        assertThat(parse(env(), "--nundb.user=flag", "--nundb.address=a:3014")
                        .client()
                        .user())
                .isEqualTo("flag");
    }

    @Test
    void maxInFlightIsAcceptedAsADeprecatedNoOpWithAWarning() throws ConfigException {
        ExporterConfig given = parse(env(), "--nundb.address=a:3014", "--nundb.max-in-flight=21");
        ExporterConfig absent = parse(env(), "--nundb.address=a:3014");

        assertThat(given.warnings()).singleElement().asString().contains("--nundb.max-in-flight", "deprecated");
        assertThat(absent.warnings()).isEmpty();
    }

    @Test
    void everyDurationIsBoundedAtParseTime() {
        for (Flag<?> f : Flags.ALL) {
            if (!f.label().equals("DURATION")) {
                continue;
            }
            assertThatThrownBy(() -> parse(Map.of(), "--demo", f.name() + "=10000000000d"))
                    .as(f.name())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(f.name())
                    .hasMessageContaining("at most 1y");
            assertThatThrownBy(() -> parse(Map.of(), "--demo", f.name() + "=999999999999y"))
                    .as(f.name())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(f.name())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotEndWith("null"));
        }
    }

    @Test
    void undialableSeedsAreConfigurationErrors() {
        for (String seed : new String[] {"0.0.0.0:3014", "::1:3014", "[::]:3014", "db:0", "db:70000"}) {
            assertThatThrownBy(() -> parse(env(), "--nundb.address", seed))
                    .as(seed)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--nundb.address")
                    .hasMessageContaining(seed);
            assertThatThrownBy(() -> parse(env(), "--nundb.address=a:3014", "--nundb.address-map", "n=" + seed))
                    .as(seed)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--nundb.address-map");
        }
        assertThatThrownBy(() -> parse(env("NUN_URL", "http://0.0.0.0:3013")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NUN_URL");
    }

    @Test
    void ipv6SeedsInBracketsAreAccepted() throws ConfigException {
        assertThat(parse(env(), "--nundb.address", "[::1]:3014").client().seeds())
                .containsExactly("[::1]:3014");
    }

    @Test
    void aBooleanFlagNeverTakesTheNextArgument() throws ConfigException {
        assertThatThrownBy(() -> ExporterCommand.commandLine().parseArgs("--demo", "--some-unknown-flag"))
                .hasMessageContaining("--some-unknown-flag")
                .hasMessageNotContaining("true or false");
        assertThat(parse(Map.of(), "--demo", "--log.level=debug").demo()).isTrue();
        assertThat(parse(Map.of(), "--demo=true").demo()).isTrue();
        assertThat(parse(env(), "--demo=false", "--nundb.address=a:3014").demo())
                .isFalse();
        assertThat(parse(Map.of("NUNDB_EXPORTER_DEMO", "TRUE")).demo()).isTrue();
    }
}
