package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebFlagsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTenSecondHeaderTimeoutFiveMinuteIdleAnd256ConnectionsWithoutWebConfig() throws Exception {
        ExporterConfig c = ExporterCommandTest.parse(Map.of(), "--demo");

        assertThat(c.web().headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.endpoint().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.web().maxConnections()).isEqualTo(256);
        assertThat(c.web().webConfigFile()).isNull();
    }

    @Test
    void flagsAndEnvironmentTwinsSetTheWebLimitsAndConfigFile() throws Exception {
        Path web = Files.writeString(dir.resolve("web.yml"), "");

        ExporterConfig flags = ExporterCommandTest.parse(
                Map.of(),
                "--demo",
                "--web.header-timeout=2s",
                "--web.idle-timeout=10m",
                "--web.max-connections=16",
                "--web.config.file=" + web);
        ExporterConfig env = ExporterCommandTest.parse(
                Map.of(
                        "NUNDB_EXPORTER_WEB_HEADER_TIMEOUT", "3s",
                        "NUNDB_EXPORTER_WEB_IDLE_TIMEOUT", "6m",
                        "NUNDB_EXPORTER_WEB_MAX_CONNECTIONS", "8",
                        "NUNDB_EXPORTER_WEB_CONFIG_FILE", web.toString()),
                "--demo");

        assertThat(flags.web().headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(flags.endpoint().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(flags.web().maxConnections()).isEqualTo(16);
        assertThat(flags.web().webConfigFile()).isEqualTo(web);
        assertThat(env.web().headerTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(env.endpoint().idleTimeout()).isEqualTo(Duration.ofMinutes(6));
        assertThat(env.web().maxConnections()).isEqualTo(8);
        assertThat(env.web().webConfigFile()).isEqualTo(web);
    }

    @Test
    void rejectsInconsistentOrInvalidWebFlags() {
        assertThatThrownBy(() -> ExporterCommandTest.parse(
                        Map.of(), "--demo", "--web.header-timeout=30s", "--web.idle-timeout=10s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--web.idle-timeout");
        assertThatThrownBy(() -> ExporterCommandTest.parse(Map.of(), "--demo", "--web.max-connections=0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--web.max-connections");
        assertThatThrownBy(() -> ExporterCommandTest.parse(Map.of(), "--demo", "--web.header-timeout=10ms"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("at least 100ms");
        assertThatThrownBy(() -> ExporterCommandTest.parse(
                        Map.of(), "--demo", "--web.config.file=" + dir.resolve("missing.yml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--web.config.file");
    }
}
