package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An exporter pointed at an address where nothing listens, with JSON logs as configured by {@code main}:
 * the node is logged once, as a WARN line whose subject is a JSON member ({@code "node"}, {@code
 * "reason"}), and the reconnect attempts that follow add no line.
 *
 * <p>Thread-safety: a test; single-threaded apart from the collector it drives.
 */
class NodeDownLogTest {
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void restoreLogging() throws Exception {
        LogManager.getLogManager().readConfiguration();
    }

    @Test
    void aNodeDownFromTheStartIsLoggedOnceWithNodeAndReasonAsJsonMembers() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String node = "127.0.0.1:" + closed;
        LoggingSetup.configure("info", "json", new PrintStream(log, true, StandardCharsets.UTF_8));
        ExporterConfig config = ExporterCommandTest.parse(
                ExporterCommandTest.CREDENTIALS,
                "--nundb.address",
                node,
                "--web.listen-address",
                "127.0.0.1:0",
                "--nundb.poll-interval",
                "100ms",
                "--nundb.connect-timeout",
                "200ms");

        try (RunningCollection collection = Collection.start(config)) {
            // Several refused reconnects (backoff from 200 ms), each of which the old code kept silent.
            await().atMost(Duration.ofSeconds(30)).until(() -> refused(collection, node) >= 4);
        }

        List<String> aboutTheNode = Arrays.stream(
                        log.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> l.contains("\"node\":\"" + node + "\""))
                .toList();
        assertThat(aboutTheNode).hasSize(1);
        assertThat(aboutTheNode.get(0))
                .startsWith("{\"ts\":")
                .contains("\"level\":\"warn\"", "\"reason\":\"refused\"")
                .endsWith("}");
    }

    private static long refused(RunningCollection collection, String node) {
        NodeSnapshot n = collection.source().snapshot().node(node);
        return n == null ? 0 : n.pollErrors(PollErrorReason.REFUSED);
    }
}
