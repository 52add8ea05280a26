package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page as a browser shows it: the exporter watches a simulated cluster with one node killed,
 * and Debian's headless Chromium takes a screenshot of {@code /} (kept in
 * {@code server/target/status-page.png} for a look) and dumps the DOM it built, from which the table is
 * read back. Chromium must be installed ({@code ./test.sh tools} installs it): this test fails, never
 * skips, without it.
 */
class StatusPageChromiumTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long BROWSER_SECONDS = 90;

    @TempDir
    Path tmp;

    private SimulatedCluster cluster;
    private Collection collection;
    private ExporterApp app;

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
    void chromiumShowsEveryNodeWithItsRoleAndState() throws Exception {
        String chromium = onPath("chromium");
        assertThat(chromium)
                .as("Debian's chromium package is required (./test.sh tools installs it)")
                .isNotNull();
        String password = "pw-" + System.nanoTime();
        cluster =
                SimulatedCluster.builder().size(3).credentials("nun", password).start();
        List<String> args = new ArrayList<>(List.of(
                "--nundb.address=127.0.0.1:" + cluster.node(0).port(),
                "--nundb.user=nun",
                "--nundb.poll-interval=100ms",
                "--nundb.request-timeout=300ms",
                "--nundb.connect-timeout=500ms",
                "--render.min-interval=100ms",
                "--web.listen-address=127.0.0.1:0"));
        for (SimulatedNode n : cluster.nodes()) {
            args.add("--nundb.address-map=" + n.name() + "=127.0.0.1:" + n.port());
        }
        ExporterConfig config = ExporterCommandTest.parse(Map.of("NUN_PWD", password), args.toArray(String[]::new));
        collection = Collection.start(config);
        app = ExporterApp.start(config, collection.source());
        await().atMost(WAIT).until(() -> collection.source().snapshot().membersUp() == 3);
        cluster.kill(2);
        // The primary drops the dead node from its view within a poll; a secondary re-reads its own view only
        // every 5 s (ClientConfig.SLOW_POLL) and disagrees meanwhile: wait until neither lists it.
        String dead = cluster.node(2).name();
        await().atMost(WAIT).until(() -> {
            ClusterSnapshot snapshot = collection.source().snapshot();
            return snapshot.membersUp() == 2
                    && snapshot.nodes().stream()
                            .filter(NodeSnapshot::up)
                            .allMatch(n -> n.view() != null && !n.view().contains(dead));
        });

        String url = "http://127.0.0.1:" + app.port() + "/";
        Path png = Paths.get("target", "status-page.png").toAbsolutePath();
        Files.deleteIfExists(png);
        run(chromium, "--screenshot=" + png, "--window-size=1280,800", url);
        assertThat(png).exists();
        assertThat(Files.size(png)).isGreaterThan(1000);
        assertThat(Files.readAllBytes(png)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');

        String dom = run(chromium, "--dump-dom", url);
        List<List<String>> rows = rows(dom);
        assertThat(rows)
                .extracting(r -> r.subList(0, 4))
                .containsExactly(
                        List.of("nundb-0.sim:3014", "primary", "up", "-"),
                        List.of("nundb-1.sim:3014", "secondary", "up", "-"),
                        List.of("nundb-2.sim:3014", "-", "down", "refused"));
        assertThat(rows).extracting(r -> r.get(7)).containsExactly("yes", "yes", "-");
        assertThat(dom).contains("2 of 3 nodes up").contains("views agree").contains("primary nundb-0.sim:3014");
    }

    /** Runs headless Chromium with its own profile and no background traffic; returns its stdout. */
    private String run(String chromium, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = tmp.resolve("chromium-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            assertThat(p.waitFor(BROWSER_SECONDS, TimeUnit.SECONDS))
                    .as("chromium finished within %d s", BROWSER_SECONDS)
                    .isTrue();
        } finally {
            // Only the browser this test started, and its helper processes.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("chromium exit code").isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** The cells of the status table's body, row by row, as text. */
    static List<List<String>> rows(String html) {
        int start = html.indexOf("<tbody>");
        int end = html.indexOf("</tbody>");
        assertThat(start).as("a table body in %s", html).isNotNegative();
        List<List<String>> rows = new ArrayList<>();
        for (String tr : html.substring(start, end).split("<tr>")) {
            List<String> cells = new ArrayList<>();
            Matcher m = Pattern.compile("<td[^>]*>(.*?)</td>").matcher(tr);
            while (m.find()) {
                cells.add(m.group(1));
            }
            if (!cells.isEmpty()) {
                rows.add(cells);
            }
        }
        return rows;
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
