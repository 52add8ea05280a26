package io.nundb.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.protocol.Role;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connection-level limits: request read timeout, keep-alive idle timeout, connection cap, bodies. */
class ExporterHttpLimitsTest {
    static final String GET_HEALTHY = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";

    final FakeSnapshotSource source = new FakeSnapshotSource();
    MetricsPublisher publisher;
    ExporterHttpServer server;

    void start(Duration headerTimeout, Duration idleTimeout, int maxConnections) throws Exception {
        source.snapshot = FakeSnapshotSource.cluster(FakeSnapshotSource.up("n1:3017", Role.PRIMARY));
        ScrapeEndpointConfig config = ScrapeEndpointConfig.of(
                        "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "9.9.9", "rev", false, null)
                .withIdleTimeout(idleTimeout);
        publisher = new MetricsPublisher(config, source, new PrometheusRegistry(), System::nanoTime);
        publisher.start();
        server = ExporterHttpServer.start(
                publisher, 1, new WebServerOptions(headerTimeout, maxConnections, null, Duration.ofSeconds(1)));
        await().until(publisher::healthy);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close(500);
        }
        if (publisher != null) {
            publisher.close(500);
        }
    }

    @Test
    void defaultsAreTenSecondHeaderTimeoutFiveMinuteIdleAnd256Connections() {
        assertThat(WebServerOptions.DEFAULTS.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(WebServerOptions.DEFAULTS.maxConnections()).isEqualTo(256);
        assertThat(ScrapeEndpointConfig.of(
                                "", 0, "/metrics", Duration.ofSeconds(1), Duration.ZERO, "v", "r", false, null)
                        .idleTimeout())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void slowlorisIsCutOffAtTheHeaderTimeout() throws Exception {
        start(Duration.ofMillis(300), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            long start = System.nanoTime();
            c.send("GET /metrics HTTP/1.1\r\n");
            boolean closed = false;
            for (int i = 0; i < 100 && !closed; i++) {
                try {
                    c.send("X-Drip-" + i + ": a\r\n");
                    c.socket.setSoTimeout(50);
                    closed = c.closedByPeer();
                } catch (java.net.SocketTimeoutException e) {
                    // still open: drip another header
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).isTrue();
            // Cut off by the 300 ms header timeout, not the 5 minute idle timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() throws Exception {
        start(Duration.ofMillis(200), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionOutlivesTheHeaderTimeout() throws Exception {
        start(Duration.ofMillis(200), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send(GET_HEALTHY);
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            // Idle for several header timeouts: the keep-alive idle timeout governs, not the header timeout.
            c.socket.setSoTimeout(1000);
            assertThat(readTimesOut(c)).isTrue();
            c.socket.setSoTimeout(10_000);
            c.send(GET_HEALTHY);
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aPartialRequestInThePacketOfACompleteOneIsCutOffAtTheHeaderTimeout() throws Exception {
        start(Duration.ofMillis(200), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send(GET_HEALTHY + "GET /-/healthy HTTP/1.1\r\nHost: x"); // one write, one packet on loopback
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            // Timed from its first byte: cut off by the 200 ms header timeout, not the 5 minute idle one.
            c.socket.setSoTimeout(3000);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void aPartialRequestAfterOneCompletedFromEarlierBytesIsCutOffAtTheHeaderTimeout() throws Exception {
        start(Duration.ofMillis(300), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send(GET_HEALTHY.substring(0, 10));
            Thread.sleep(50); // two reads: the codec holds the first bytes when the rest arrives
            c.send(GET_HEALTHY.substring(10) + "GET /-/healthy HTTP/1.1\r\nHost: x");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            c.socket.setSoTimeout(3000);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void pipelinedCompleteRequestsInOnePacketLeaveTheConnectionToTheIdleTimeout() throws Exception {
        start(Duration.ofMillis(200), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send(GET_HEALTHY + GET_HEALTHY);
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            c.socket.setSoTimeout(1000);
            assertThat(readTimesOut(c)).isTrue(); // still open after five header timeouts
        }
    }

    @Test
    void theIdleTimeoutClosesAnIdleKeepAliveConnection() throws Exception {
        start(Duration.ofMillis(100), Duration.ofMillis(300), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send(GET_HEALTHY);
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceWhileExistingOnesStillServe() throws Exception {
        start(Duration.ofSeconds(10), Duration.ofMinutes(5), 3);
        List<RawHttpConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttpConnection c = new RawHttpConnection(server.port());
                held.add(c);
                c.send(GET_HEALTHY);
                assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            }
            for (int i = 0; i < 5; i++) {
                try (RawHttpConnection extra = new RawHttpConnection(server.port())) {
                    assertThat(extra.closedByPeer()).isTrue();
                }
            }
            assertThat(server.rejectedConnections()).isEqualTo(5);
            for (RawHttpConnection c : held) {
                c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ").contains("nundb_up{node=\"n1:3017\"} 1.0");
            }
            held.remove(0).close();
            await().until(() -> server.openConnections() == 2);
            try (RawHttpConnection again = new RawHttpConnection(server.port())) {
                again.send(GET_HEALTHY);
                assertThat(again.readResponse()).startsWith("HTTP/1.1 200 ");
            }
        } finally {
            for (RawHttpConnection c : held) {
                c.close();
            }
        }
    }

    @Test
    void requestsWithBodiesAreServedAndHugeBodiesAre413() throws Exception {
        start(Duration.ofSeconds(10), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "b".repeat(100));
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
            c.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ");
        }
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 413 ");
        }
    }

    @Test
    void invalidAcceptValuesFallBackToTheTextFormat() throws Exception {
        start(Duration.ofSeconds(10), Duration.ofMinutes(5), 16);
        for (String accept : new String[] {
            "garbage", ";;;", "application/openmetrics-text; version=99", "*/*;q=nan", "\u00ff\u00fe", "a/b,,,c/d;q=="
        }) {
            try (RawHttpConnection c = new RawHttpConnection(server.port())) {
                c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: " + accept + "\r\n\r\n");
                assertThat(c.readResponse())
                        .as(accept)
                        .startsWith("HTTP/1.1 200 ")
                        .containsAnyOf("text/plain; version=0.0.4", "application/openmetrics-text");
            }
        }
    }

    @Test
    void pipelinedRequestsWithABodyInBetweenKeepTheirOrder() throws Exception {
        start(Duration.ofSeconds(10), Duration.ofMinutes(5), 16);
        try (RawHttpConnection c = new RawHttpConnection(server.port())) {
            c.send(GET_HEALTHY
                    + "GET /metrics?name[]=nundb_up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ").endsWith("Healthy\n");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ").contains("# TYPE nundb_up gauge");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 404 ");
            assertThat(c.readResponse()).startsWith("HTTP/1.1 200 ").endsWith("Ready\n");
        }
    }

    private static boolean readTimesOut(RawHttpConnection c) throws java.io.IOException {
        try {
            c.closedByPeer();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }
}
