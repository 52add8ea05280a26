package io.nundb.exporter.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.internal.PlatformDependent;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.LeakRecorder;
import io.nundb.exporter.sim.Garbling;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.sim.SimulatedNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak: the whole exporter watching a simulated cluster of {@code -Dnundb.soak.nodes} (100) nodes for
 * {@code -Dnundb.soak.seconds} (60), scraped continuously by {@value #SCRAPERS} clients (text,
 * OpenMetrics, gzip) while a random node gets a random fault every 2 s for 1-3 s. Every 5 s it samples
 * scrapes served, scrape errors, reconnects (connects beyond the first per node), poll errors, heap
 * used after a GC, direct memory and RSS, printed as a table and written to {@code target/soak.csv}.
 * Asserts: under 1 % scrape errors, the heap after warm-up (first third) stays within 1.5x + 16 MiB
 * of its post-warm-up low, direct memory likewise, no leak reports.
 *
 * <p>Tagged {@code soak}: excluded from the default run. The 60-second version:
 * {@code mvn -B -q -o test -pl core,server -Psoak -Dfuzz.skip=true -Dtest=SoakTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; a long one adds {@code -Dsoak.seconds=3600}.
 *
 * <p>Thread-safety: a test; the scraper and fault threads only touch atomics and the simulator.
 */
@Tag("soak")
class SoakTest {
    static final int SCRAPERS = 4;

    @Test
    void soak() throws Exception {
        int nodes = Integer.getInteger("nundb.soak.nodes", 100);
        long seconds = Long.getLong("nundb.soak.seconds", 60);
        long seed = Long.getLong("nundb.soak.seed", 7);
        String password = FaultSuiteTest.randomPassword();
        AtomicLong served = new AtomicLong();
        AtomicLong scrapeErrors = new AtomicLong();
        AtomicLong faults = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Sample> samples = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(SCRAPERS + 1);
        try (LeakRecorder leaks = LeakRecorder.start();
                SimulatedExporter exporter = new SimulatedExporter(
                        SimulatedCluster.builder()
                                .size(nodes)
                                .names(i -> "nundb-" + i + ":3014")
                                .credentials("admin", password)
                                .start(),
                        "admin",
                        password,
                        Duration.ofSeconds(1))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> exporter.collector.snapshot().membersUp() == nodes);
            for (int s = 0; s < SCRAPERS; s++) {
                int id = s;
                threads.execute(() -> scrapeLoop(exporter, id, running, served, scrapeErrors));
            }
            threads.execute(() -> faultLoop(exporter.cluster, new Random(seed), running, faults));

            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            PrintStream out = System.out;
            out.println("soak: " + nodes + " nodes, " + SCRAPERS + " scrapers, " + seconds + " s");
            out.println("   t_s  scrapes  errors  faults  reconnects  poll_errors  heap_mib  direct_mib  rss_mib");
            while (System.nanoTime() < end) {
                Thread.sleep(5000); // sampling period of the soak, not a wait for a result
                Sample sample = Sample.take(
                        (System.nanoTime() - start) / 1_000_000_000L,
                        served.get(),
                        scrapeErrors.get(),
                        faults.get(),
                        exporter.collector.snapshot());
                samples.add(sample);
                out.println(sample.row());
            }
            running.set(false);
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(leaks.collect()).as("Netty LEAK reports").isEmpty();
        } finally {
            running.set(false);
            threads.shutdownNow();
        }

        Path csv = Path.of("target", "soak.csv");
        List<String> lines = new ArrayList<>();
        lines.add("t_s,scrapes,errors,faults,reconnects,poll_errors,heap_bytes,direct_bytes,rss_bytes");
        samples.forEach(s -> lines.add(s.csv()));
        Files.createDirectories(csv.getParent());
        Files.write(csv, lines, StandardCharsets.UTF_8);

        Sample last = samples.get(samples.size() - 1);
        assertThat(last.scrapes).as("scrapes served").isPositive();
        assertThat(last.faults).as("faults injected").isPositive();
        assertThat((double) last.errors).as("scrape errors").isLessThan(0.01 * last.scrapes + 1);
        List<Sample> afterWarmUp = samples.subList(samples.size() / 3, samples.size());
        long heapLow = afterWarmUp.stream().mapToLong(s -> s.heap).min().orElseThrow();
        long directLow = afterWarmUp.stream().mapToLong(s -> s.direct).min().orElseThrow();
        for (Sample s : afterWarmUp) {
            assertThat(s.heap).as("heap after GC at " + s.seconds + " s").isLessThan(heapLow * 3 / 2 + (16L << 20));
            assertThat(s.direct).as("direct memory at " + s.seconds + " s").isLessThan(directLow * 3 / 2 + (16L << 20));
        }
    }

    private static void scrapeLoop(
            SimulatedExporter exporter, int id, AtomicBoolean running, AtomicLong served, AtomicLong errors) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String[][] variants = {
            {"Accept", "text/plain"},
            {"Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8"},
            {"Accept-Encoding", "gzip"},
            {"Accept", "text/plain", "Accept-Encoding", "gzip"}
        };
        int i = id;
        while (running.get()) {
            try {
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.server.port() + "/metrics"))
                                .headers(variants[i++ % variants.length])
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200 && r.body().length > 0) {
                    served.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                errors.incrementAndGet();
            }
        }
    }

    private static void faultLoop(SimulatedCluster cluster, Random random, AtomicBoolean running, AtomicLong count) {
        try {
            while (running.get()) {
                Thread.sleep(2000);
                // Node 0 is the primary; the other nodes take the faults.
                int index = 1 + random.nextInt(cluster.size() - 1);
                SimulatedNode n = cluster.node(index);
                int kind = random.nextInt(7);
                switch (kind) {
                    case 0 -> cluster.kill(index);
                    case 1 -> n.stop();
                    case 2 -> n.slowReplies(Duration.ofMillis(500 + random.nextInt(2000)));
                    case 3 -> n.garble(random.nextBoolean() ? Garbling.CORRUPT_METRICS_STATE : Garbling.STRAY_LINE);
                    case 4 -> {
                        n.rejectAuth(true);
                        n.resetConnections();
                    }
                    case 5 -> n.resetConnections();
                    default -> {
                        n.closeOnAccept(true);
                        n.resetConnections();
                    }
                }
                count.incrementAndGet();
                Thread.sleep(1000 + random.nextInt(2000));
                switch (kind) {
                    case 0 -> cluster.restart(index);
                    case 1 -> n.resume();
                    case 2 -> n.slowReplies(Duration.ZERO);
                    case 3 -> n.garble(Garbling.NONE);
                    case 4 -> n.rejectAuth(false);
                    case 5 -> {}
                    default -> n.closeOnAccept(false);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    record Sample(
            long seconds,
            long scrapes,
            long errors,
            long faults,
            long reconnects,
            long pollErrors,
            long heap,
            long direct,
            long rss) {
        static Sample take(long seconds, long scrapes, long errors, long faults, ClusterSnapshot snapshot) {
            long reconnects = 0;
            long pollErrors = 0;
            for (NodeSnapshot n : snapshot.nodes()) {
                reconnects += Math.max(0, n.connects() - 1);
                for (PollErrorReason r : PollErrorReason.values()) {
                    pollErrors += n.pollErrors(r);
                }
            }
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            // Netty's own counter (its cleaner-less buffers) plus the JDK's direct buffer pool.
            long direct = Math.max(0, PlatformDependent.usedDirectMemory());
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    direct += pool.getMemoryUsed();
                }
            }
            return new Sample(seconds, scrapes, errors, faults, reconnects, pollErrors, heap, direct, readRss());
        }

        static long readRss() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: RSS unknown
            }
            return -1;
        }

        String row() {
            return String.format(
                    "%6d %8d %7d %7d %11d %12d %9.1f %11.1f %8.1f",
                    seconds,
                    scrapes,
                    errors,
                    faults,
                    reconnects,
                    pollErrors,
                    heap / 1048576.0,
                    direct / 1048576.0,
                    rss / 1048576.0);
        }

        String csv() {
            return seconds + "," + scrapes + "," + errors + "," + faults + "," + reconnects + "," + pollErrors + ","
                    + heap + "," + direct + "," + rss;
        }
    }
}
