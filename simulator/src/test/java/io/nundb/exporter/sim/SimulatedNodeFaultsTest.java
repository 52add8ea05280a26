package io.nundb.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatedNodeFaultsTest {

    private static SimulatedNode node() {
        return SimulatedNode.builder().name("nundb-0.sim:3014").build().start();
    }

    @Test
    void rejectedAuthAnswersInvalidWhateverThePassword() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.greeted(node.address())) {
            node.rejectAuth(true);
            assertThat(c.request("auth nun nun-pwd\n")).isEqualTo("invalid auth\nok \n");
            assertThat(c.request("metrics-state\n")).isEqualTo("error Not auth \n");
        }
    }

    @Test
    void closeOnAcceptClosesBeforeTheGreeting() throws IOException {
        try (SimulatedNode node = node()) {
            node.closeOnAccept(true);
            try (LineClient c = new LineClient(node.address())) {
                assertThat(c.readByte()).isEqualTo(-1);
            }
            assertThat(node.connectionsAccepted()).isEqualTo(1);
        }
    }

    @Test
    void resetConnectionsSendsRst() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.resetConnections();
            try {
                int b = c.readByte();
                assertThat(b).as("RST, not FIN").isNotEqualTo(-1);
            } catch (SocketException expected) {
                assertThat(expected).hasMessageContaining("reset");
            }
        }
    }

    @Test
    void killSendsFinToIdleClients() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.kill();
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void garbledMetricsStateAndStrayLines() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.garble(Garbling.CORRUPT_METRICS_STATE);
            assertThat(c.request("metrics-state\n")).startsWith("metrics-state pending_ops: garbled,");
            node.garble(Garbling.STRAY_LINE);
            assertThat(c.request("debug nonsense\n")).isEqualTo("garbled \nok \n");
        }
    }

    @Test
    void skippedStatusLinesSendThePayloadWithoutItsStatusLine() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.skipStatusLines(1);
            c.send("debug nonsense\n");
            c.send("debug nonsense\n");
            // The first reply has no status line: the next line read is the second's status line.
            assertThat(c.readLine()).isEqualTo("ok \n");
            assertThat(c.request("debug nonsense\n")).isEqualTo("ok \n");
        }
    }

    @Test
    void extraViewMembersAreListedAsConnectedSecondaries() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            await().until(() -> node.role().equals(SimulatedNode.PRIMARY));
            node.extraViewMembers(3);
            String reply = c.request("cluster-state\n");
            assertThat(reply)
                    .contains(" 127.255.0.0:9(Connected):Secoundary,")
                    .contains(" 127.255.0.2:9(Connected):Secoundary,")
                    .doesNotContain("127.255.0.3");
        }
    }

    @Test
    void streamingWithoutNewlineSendsBytesAndNeverANewline() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.streamWithoutNewline(true);
            byte[] bytes = c.readExactly(64 * 1024).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            node.streamWithoutNewline(false);
            for (byte b : bytes) {
                assertThat(b).isEqualTo((byte) 'x');
            }
        }
    }

    @Test
    void slowRepliesDelayTheReply() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.slowReplies(Duration.ofMillis(300));
            c.socket.setSoTimeout(100);
            c.send("debug nonsense\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(c::readReply)
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            c.socket.setSoTimeout(2000);
            assertThat(c.readReply()).isEqualTo("ok \n");
        }
    }

    @Test
    void fragmentWithoutNewlineIsLostWhenTheReadCompletes() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            c.send("metrics-");
            await().pollDelay(Duration.ofMillis(50)).until(() -> true);
            assertThat(c.request("state\n")).isEqualTo("error unknown command: state \n");
        }
    }

    @Test
    void pipelineOverflowDropsStatusLinesPastAboutFiftyGets() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            c.request("create-db demo demo-pwd\n");
            c.request("use-db demo demo-pwd\n");
            c.request("set a x\n");
            c.send("get a\n".repeat(60) + "debug nonsense\n");
            int values = 0;
            int oks = 0;
            c.socket.setSoTimeout(500);
            try {
                while (true) {
                    String line = c.readLine();
                    if (line.equals("value x\n")) {
                        values++;
                    } else if (line.equals("ok \n")) {
                        oks++;
                    }
                }
            } catch (java.net.SocketTimeoutException done) {
                // all that will come has come
            }
            assertThat(values).isEqualTo(60);
            assertThat(oks).isEqualTo(51);
        }
    }

    @Test
    void pipelineOverflowCanBeSwitchedOff() throws IOException {
        try (SimulatedNode node = node();
                LineClient c = LineClient.authed(node)) {
            node.pipelineOverflow(false);
            c.send("debug nonsense\n".repeat(200));
            for (int i = 0; i < 200; i++) {
                assertThat(c.readLine()).isEqualTo("ok \n");
            }
        }
    }

    @Test
    void standaloneRestartGetsANewProcessIdAndForgetsData() throws IOException {
        try (SimulatedNode node = node()) {
            long pid = node.processId();
            node.kill();
            node.restart(pid + 1000);
            try (LineClient c = LineClient.authed(node)) {
                assertThat(c.request("debug process-info\n"))
                        .isEqualTo("process-info \nprocess_id: " + (pid + 1000) + "\nok \n");
                assertThat(c.request("debug list-dbs\n")).isEqualTo("dbs-list \n$admin : newer\nok \n");
            }
        }
    }
}
