package io.nundb.exporter.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.netty.util.internal.PlatformDependent;
import io.nundb.exporter.protocol.LeakRecorder;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile HTTP clients against the whole exporter (real collector, publisher and HTTP server watching a
 * simulated cluster on loopback), under the image's memory flags ({@code -XX:MaxDirectMemorySize=64m}
 * and the heap the manifest implies; the server pom runs this class in the fault-suite execution): the
 * exporter keeps answering other clients, keeps every node's values correct, and gives its memory back
 * when the attacker leaves; no buffer leaks. Each test prints the figures it measured (time without a
 * correct answer, direct memory, time to answer again after the attack).
 *
 * <p>Thread-safety: a test; the attacker threads share only atomics with the test thread.
 */
// "try": resources that are only held for the block (attackers held open for the block; their close() joins threads).
@SuppressWarnings("try")
class AdversarialTest {
    static final Duration ATTACK = Duration.ofSeconds(6);
    /** Every probe answered within: the whole answer, not a wedge of seconds. */
    static final Duration ANSWER_BOUND = Duration.ofSeconds(2);
    /** Direct memory the attack may pin at most, over the baseline. */
    static final long DIRECT_BUDGET = 16L << 20;
    /** How long the recovery after the attack is measured (a wedged exporter takes minutes). */
    static final Duration RECOVERY_MEASURED = Duration.ofSeconds(30);

    /** A valid login gets through a flood of wrong guesses within (one per flooding connection at 10/s). */
    static final Duration LOGIN_BOUND = Duration.ofSeconds(4);

    static LeakRecorder leaks;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordLeaks() {
        leaks = LeakRecorder.start();
    }

    @AfterAll
    static void noLeaks() {
        try {
            assertThat(leaks.collect()).as("Netty LEAK reports").isEmpty();
        } finally {
            leaks.close();
        }
    }

    @Test
    void aClientThatPipelinesAndNeverReadsDoesNotWedgeTheExporter() throws Exception {
        String password = FaultSuiteTest.randomPassword();
        try (SimulatedExporter exporter =
                new SimulatedExporter(FaultSuiteTest.cluster(password, false), "admin", password)) {
            Map<String, Double> baseline = awaitAllUpAndStable(exporter);
            long directBefore = directMemory();
            long peak = directBefore;
            long slowest = 0;
            long lastAnswered = System.nanoTime();
            long longestWedge = 0;
            int probes = 0;
            List<String> failures = new ArrayList<>();
            try (NonReadingClients attack = new NonReadingClients(exporter.server.port(), 4)) {
                long end = System.nanoTime() + ATTACK.toNanos();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    probes++;
                    try {
                        if (get(exporter, "/-/healthy").statusCode() != 200) {
                            failures.add("/-/healthy not 200");
                        }
                        Map<String, Double> values = allStable(exporter.scrape());
                        if (values.equals(baseline)) {
                            lastAnswered = System.nanoTime();
                        } else {
                            failures.add("node values " + values);
                        }
                    } catch (Exception | AssertionError e) {
                        failures.add(e.toString());
                    }
                    longestWedge = Math.max(longestWedge, System.nanoTime() - lastAnswered);
                    slowest = Math.max(slowest, System.nanoTime() - t0);
                    peak = Math.max(peak, directMemory());
                    Thread.sleep(100); // sampling cadence, not a wait for a result
                }
                System.out.println("non-reading clients: " + attack.requestsWritten() + " requests written on "
                        + attack.connections() + " connections in " + ATTACK.toMillis() + " ms; " + failures.size()
                        + " of " + probes + " probes failed; slowest probe " + slowest / 1_000_000
                        + " ms; longest without a correct answer " + longestWedge / 1_000_000 + " ms; direct memory "
                        + (directBefore >> 10) + " KiB before, peak " + (peak >> 10) + " KiB");
            }
            long left = System.nanoTime();
            long answeredAfter = -1;
            while (System.nanoTime() - left < RECOVERY_MEASURED.toNanos()) {
                try {
                    if (get(exporter, "/-/healthy").statusCode() == 200
                            && allStable(exporter.scrape()).equals(baseline)) {
                        answeredAfter = (System.nanoTime() - left) / 1_000_000;
                        break;
                    }
                } catch (Exception | AssertionError e) {
                    // still wedged
                }
                Thread.sleep(100); // sampling cadence of the recovery measurement
            }
            long directAfter = directMemory();
            System.out.println("after the attacker left: healthy with correct values after "
                    + (answeredAfter < 0 ? "more than " + RECOVERY_MEASURED.toMillis() : answeredAfter)
                    + " ms, direct memory " + (directAfter >> 10) + " KiB");
            assertThat(failures).as("probes failed during the attack").isEmpty();
            assertThat(peak - directBefore)
                    .as("direct memory pinned by the attack")
                    .isLessThan(DIRECT_BUDGET);
            assertThat(answeredAfter)
                    .as("ms to answer again after the attacker left")
                    .isBetween(0L, 1000L);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(directMemory())
                        .as("direct memory after the attacker left")
                        .isLessThanOrEqualTo(directBefore + (4L << 20));
                assertThat(exporter.server.stalledBytes())
                        .as("bytes counted as stalled")
                        .isZero();
            });
        }
    }

    @Test
    void aValidLoginGetsThroughAFloodOfWrongPasswords() throws Exception {
        String password = FaultSuiteTest.randomPassword();
        Path web = dir.resolve("web.yml");
        // Cost 8 rather than htpasswd's 10: the budget is verifications per second, whatever they cost.
        Files.writeString(
                web,
                "basic_auth_users:\n  prometheus: "
                        + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(8, "scrape-me".toCharArray()) + "\n");
        try (SimulatedExporter exporter = new SimulatedExporter(
                FaultSuiteTest.cluster(password, false), "admin", password, SimulatedExporter.POLL, web)) {
            String valid = basic("prometheus", "scrape-me");
            try (WrongPasswords flood = new WrongPasswords(exporter.server.port(), 8, 8)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> flood.answers() >= 20);
                long before = exporter.server.bcryptVerifications();
                long t0 = System.nanoTime();
                HttpResponse<String> login = exporter.http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.server.port() + "/metrics"))
                                .header("Authorization", valid)
                                .timeout(LOGIN_BOUND)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                long loginMillis = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("auth flood: " + flood.answers() + " answers to wrong guesses so far ("
                        + flood.limited() + " of them 429); the valid login answered " + login.statusCode() + " in "
                        + loginMillis + " ms, " + (exporter.server.bcryptVerifications() - before)
                        + " verifications meanwhile");
                assertThat(login.statusCode())
                        .as("a valid login during the flood")
                        .isEqualTo(200);

                exporter.authorization = valid; // cached from now on: no bcrypt, no wait
                Map<String, Double> baseline = awaitAllUpAndStable(exporter);
                for (int i = 0; i < 10; i++) {
                    assertThat(get(exporter, "/-/healthy").statusCode()).isEqualTo(200);
                    assertThat(allStable(exporter.scrape())).isEqualTo(baseline);
                    Thread.sleep(100); // sampling cadence, not a wait for a result
                }
                assertThat(flood.errors())
                        .as("flooding clients that got no answer")
                        .isZero();
            }
        }
    }

    private static Map<String, Double> awaitAllUpAndStable(SimulatedExporter exporter) throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Double> s = exporter.scrape();
            for (SimulatedNode n : exporter.cluster.nodes()) {
                assertThat(s.get("nundb_up{node=\"" + n.name() + "\"}"))
                        .as(n.name())
                        .isEqualTo(1.0);
                assertThat(s.get("nundb_oplog_pending_ops{node=\"" + n.name() + "\"}"))
                        .as(n.name())
                        .isNotNull();
            }
        });
        return allStable(exporter.scrape());
    }

    /** The stable series (up, role, metrics-state values, error counters) of every node. */
    static Map<String, Double> allStable(Map<String, Double> scrape) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            out.putAll(SimulatedExporter.stableSeriesOf(scrape, "nundb-" + i + ":3014", true));
        }
        return out;
    }

    static HttpResponse<String> get(SimulatedExporter exporter, String path) throws Exception {
        return exporter.http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.server.port() + path))
                        .timeout(ANSWER_BOUND)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Direct memory in use: Netty's own counter when it keeps one (buffers without a cleaner), plus the
     * JDK's direct buffer pool (buffers with one).
     */
    static long directMemory() {
        long netty = Math.max(0, PlatformDependent.usedDirectMemory());
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        return netty + jdk;
    }

    /**
     * Connections that write pipelined {@code GET /metrics} as fast as the socket takes them (thousands
     * per connection) and never read a byte; a connection the exporter closes is opened again.
     */
    static final class NonReadingClients implements AutoCloseable {
        private static final byte[] BURST;

        static {
            String one = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
            BURST = one.repeat(64 * 1024 / one.length()).getBytes(StandardCharsets.ISO_8859_1);
        }

        private final int port;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong opened = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Socket> sockets = new ArrayList<>();

        NonReadingClients(int port, int connections) {
            this.port = port;
            for (int i = 0; i < connections; i++) {
                Thread t = new Thread(this::attack, "non-reading-client-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void attack() {
            while (!stop.get()) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setReceiveBufferSize(4096);
                    synchronized (sockets) {
                        sockets.add(s);
                    }
                    opened.incrementAndGet();
                    OutputStream out = s.getOutputStream();
                    while (!stop.get()) {
                        out.write(BURST);
                        sent.addAndGet(BURST.length / 36);
                    }
                } catch (IOException e) {
                    // Closed by the exporter (or by close()): connect again.
                }
            }
        }

        long requestsWritten() {
            return sent.get();
        }

        long connections() {
            return opened.get();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            for (Thread t : threads) {
                t.join(5000);
            }
        }
    }

    /**
     * Clients that guess passwords for the valid user as fast as they are answered: some over one
     * keep-alive connection each, others on a new connection per guess.
     */
    static final class WrongPasswords implements AutoCloseable {
        private final int port;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong answers = new AtomicLong();
        private final AtomicLong limited = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicLong guesses = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();

        WrongPasswords(int port, int keepAlive, int reconnecting) {
            this.port = port;
            for (int i = 0; i < keepAlive + reconnecting; i++) {
                boolean reconnect = i >= keepAlive;
                Thread t = new Thread(() -> guess(reconnect), "wrong-passwords-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void guess(boolean reconnect) {
            while (!stop.get()) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(30_000);
                    do {
                        String request = "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: "
                                + basic("prometheus", "guess" + guesses.incrementAndGet()) + "\r\n\r\n";
                        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                        int status = readStatus(s.getInputStream());
                        answers.incrementAndGet();
                        if (status == 429) {
                            limited.incrementAndGet();
                        } else if (status != 401) {
                            errors.incrementAndGet();
                        }
                    } while (!reconnect && !stop.get());
                } catch (IOException e) {
                    if (!stop.get()) {
                        errors.incrementAndGet();
                    }
                }
            }
        }

        /** Reads one response (headers and a Content-Length body) and returns its status. */
        private static int readStatus(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("closed after " + head.size() + " bytes");
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : headers.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            return Integer.parseInt(headers.substring(9, 12));
        }

        long answers() {
            return answers.get();
        }

        long limited() {
            return limited.get();
        }

        long errors() {
            return errors.get();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Thread t : threads) {
                t.interrupt();
                t.join(35_000);
            }
        }
    }
}
