package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ExporterApp#reload()}, what SIGHUP runs: the secret files, all or nothing. */
class ConfigReloadTest {
    @Test
    void reloadReadsTheSecretFilesNowAndKeepsEverythingWhenOneFails(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("pwd"), "first\n");
        Path token = Files.writeString(dir.resolve("token"), "tok-1\n");
        Path web = Files.writeString(dir.resolve("web.yml"), "");
        ExporterConfig config = ExporterCommandTest.parse(
                Map.of("NUN_USER", "admin"),
                "--nundb.address=db:3014",
                "--nundb.password-file=" + password,
                "--canary.token-file=" + token,
                "--web.config.file=" + web,
                "--web.listen-address=127.0.0.1:0");
        try (ExporterApp app = ExporterApp.start(config, new MainTest.StaticSource())) {
            Files.writeString(password, "second\n");
            Files.writeString(token, "tok-2\n");

            assertThat(app.reload()).isTrue();
            assertThat(config.password().current()).isEqualTo("second");
            assertThat(config.canaryToken().current()).isEqualTo("tok-2");

            Files.delete(password);
            assertThat(app.reload()).isFalse();
            assertThat(config.password().current()).isEqualTo("second");

            Files.writeString(password, "third\n");
            Files.writeString(web, "not_a_key: 1\n");
            assertThat(app.reload())
                    .as("a broken web config fails the whole reload")
                    .isFalse();
        }
    }
}
