package io.nundb.exporter.cli;

import static io.nundb.exporter.cli.ExporterCommandTest.env;
import static io.nundb.exporter.cli.ExporterCommandTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nundb.exporter.client.CanaryConfig;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryOptionsTest {

    @Test
    void canaryIsOffWithoutAToken() throws ConfigException {
        ExporterConfig c = parse(env(), "--nundb.address", "db:3014");

        assertThat(c.canaryToken()).isNull();
        assertThat(Collection.canaryConfig(c, null)).isNull();
    }

    @Test
    void tokenFromTheEnvironmentEnablesTheCanaryAndIsNeverShown() throws ConfigException {
        ExporterConfig c = parse(
                env("NUNDB_EXPORTER_CANARY_TOKEN", "tok-s3cret"),
                "--nundb.address",
                "db:3014",
                "--canary.interval",
                "2s",
                "--canary.timeout",
                "20s",
                "--canary.database",
                "probe_db");

        CanaryConfig canary = Collection.canaryConfig(c, null);
        assertThat(canary.token().get()).isEqualTo("tok-s3cret");
        assertThat(canary.database()).isEqualTo("probe_db");
        assertThat(canary.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(canary.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(canary.toString()).doesNotContain("tok-s3cret");
        assertThat(c.toString()).doesNotContain("tok-s3cret");
    }

    @Test
    void tokenFileWinsOverTheEnvironmentAndIsReReadWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "from-file\n");
        ExporterConfig c = parse(
                env("NUNDB_EXPORTER_CANARY_TOKEN", "from-env"),
                "--nundb.address",
                "db:3014",
                "--canary.token-file",
                file.toString());

        CanaryConfig canary = Collection.canaryConfig(c, null);
        assertThat(canary.token().get()).isEqualTo("from-file");
        assertThat(canary.database()).isEqualTo(CanaryConfig.DEFAULT_DATABASE);
        Files.writeString(file, "rotated\n");
        Files.setLastModifiedTime(
                file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
        assertThat(canary.token().get()).isEqualTo("rotated");
        assertThat(canary.toString()).doesNotContain("rotated").doesNotContain("from-file");
    }

    @Test
    void emptyTokenFileIsRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "");

        assertThatThrownBy(() -> parse(env(), "--nundb.address", "db:3014", "--canary.token-file", file.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--canary.token-file");
    }

    @Test
    void eachExporterProcessWritesUnderItsOwnInstanceId() throws ConfigException {
        ExporterConfig one = parse(env("NUNDB_EXPORTER_CANARY_TOKEN", "t"), "--nundb.address", "db:3014");
        ExporterConfig other = parse(env("NUNDB_EXPORTER_CANARY_TOKEN", "t"), "--nundb.address", "db:3014");

        assertThat(Collection.canaryConfig(one, null).instance())
                .isNotEqualTo(Collection.canaryConfig(other, null).instance())
                .matches("[0-9a-f]{12}");
    }

    @Test
    void demoModeRunsTheCanaryAgainstTheEmbeddedCluster() throws ConfigException {
        ExporterConfig c = parse(Map.of(), "--demo", "--canary.interval", "200ms");
        Collection collection = Collection.start(c);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                ClusterSnapshot s = collection.source().snapshot();
                if (s.canary() == null || s.canary().writes() < 3) {
                    return false;
                }
                for (NodeSnapshot n : s.nodes()) {
                    if (n.canary() != null && n.canary().lag() != null) {
                        return true;
                    }
                }
                return false;
            });
        } finally {
            collection.close();
        }
    }
}
