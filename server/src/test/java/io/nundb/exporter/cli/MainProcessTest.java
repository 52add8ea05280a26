package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporter as a process: {@code Main} with {@code --demo} in a child JVM, driven by signals. */
class MainProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)");

    private Path errFile;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (errFile != null) {
            Files.deleteIfExists(errFile);
        }
    }

    private String stderr() throws IOException {
        return Files.readString(errFile, StandardCharsets.UTF_8);
    }

    /** Starts the exporter and returns its HTTP port once /-/healthy answers 200. */
    private int start(String... extraArgs) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // A SIGHUP ignored by whoever started the build (nohup, some CI runners) stays ignored in the child
        // and the JVM then cannot handle it: restore the default so that the exporter installs its handler.
        List<String> command = new ArrayList<>(List.of(
                "env",
                "--default-signal=HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                classpath,
                Main.class.getName(),
                "--demo",
                "--web.listen-address=127.0.0.1:0"));
        command.addAll(List.of(extraArgs));
        // Process.destroy() closes the pipes, so stderr goes to a file that outlives the process.
        errFile = Files.createTempFile("nundb-exporter-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errFile.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("NUNDB_EXPORTER_"));
        process = pb.start();
        int[] port = new int[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(process.isAlive())
                    .as("exporter alive; stderr: %s", stderr())
                    .isTrue();
            Matcher m = LISTENING.matcher(stderr());
            if (!m.find()) {
                return false;
            }
            port[0] = Integer.parseInt(m.group(1));
            return get(port[0], "/-/healthy").statusCode() == 200;
        });
        return port[0];
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Test
    void sigtermStopsGracefullyAndExitsZero() throws Exception {
        start();

        process.destroy(); // SIGTERM on Linux

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit status; stderr: %s", stderr()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(stderr()).contains("shutting down", "msg=stopped"));
    }

    @Test
    void sighupReloadsTheWebConfigKeepsTheOldOneOnFailureAndCountsBoth(@TempDir Path dir) throws Exception {
        Path web = Files.writeString(dir.resolve("web.yml"), "");
        int port = start("--web.config.file=" + web);
        String success = "nundb_exporter_config_reloads_total{result=\"success\"} ";
        String failure = "nundb_exporter_config_reloads_total{result=\"failure\"} ";
        assertThat(get(port, "/metrics").body()).contains(success + "0.0", failure + "0.0");

        Files.writeString(web, "http_server_config:\n  headers:\n    X-Frame-Options: \"DENY\"\n");
        hangUp();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(get(port, "/metrics").body()).contains(success + "1.0"));
        assertThat(get(port, "/metrics").headers().firstValue("X-Frame-Options"))
                .hasValue("DENY");

        Files.writeString(web, "tls_server_config: [not, a, map\n");
        hangUp();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(get(port, "/metrics").body()).contains(failure + "1.0"));

        assertThat(process.isAlive()).isTrue();
        HttpResponse<String> after = get(port, "/metrics");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.headers().firstValue("X-Frame-Options"))
                .as("the previous web config")
                .hasValue("DENY");
        assertThat(after.body()).contains(success + "1.0");
    }
}
