package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.nundb.exporter.bench.SyntheticSnapshotSource;
import io.nundb.exporter.exposition.ExpositionFormat;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One op = one keep-alive scrape served from {@link MetricsPublisher}'s cache through the exporter's
 * real pipeline ({@link ExporterHttpInitializer}, without TLS or basic auth) on an
 * {@link EmbeddedChannel}: the request bytes are decoded by {@code HttpServerCodec} and aggregated
 * (with the read timeout armed and disarmed), {@link RequestRouter} routes it, {@link MetricsHandler}
 * negotiates the format and encoding, takes a {@code retainedDuplicate()} of the cached body and writes a
 * {@code FullHttpResponse}, the encoder writes the head; the test side reads and releases what was
 * written. The body is never copied, so
 * {@code gc.alloc.rate.norm} must be the same at 3 and 1000 nodes (bodies of about 32 KB and 8.9 MB).
 * {@code request}: {@code plain} (no headers, text identity) or {@code prometheus} (Prometheus's
 * {@code Accept} and {@code Accept-Encoding: gzip}: OpenMetrics gzip).
 *
 * <p>The publisher renders once at setup (one on-demand render, never started, so no schedule): renders
 * are measured by
 * {@code ExpositionRenderBenchmark}. {@link #notFound} is the baseline: the same request path to a
 * 404 (a small copied body), no cache involved.
 *
 * <p>Thread-safety: {@code Scope.Thread}; the benchmark thread plays the channel's event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class CachedScrapeBenchmark {
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
            + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
            + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    @Param({"3", "1000"})
    int nodes;

    @Param({"plain", "prometheus"})
    String request;

    MetricsPublisher publisher;
    EmbeddedChannel channel;
    ByteBuf scrape;
    ByteBuf missing;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException, ExecutionException, TimeoutException {
        ScrapeEndpointConfig config = ScrapeEndpointConfig.of(
                "127.0.0.1", 0, "/metrics", Duration.ofHours(1), Duration.ZERO, "0.1.0", "bench", false, null);
        publisher = new MetricsPublisher(
                config, new SyntheticSnapshotSource(nodes), new PrometheusRegistry(), System::nanoTime);
        boolean prometheus = request.equals("prometheus");
        ExpositionFormat format = prometheus ? ExpositionFormat.OPENMETRICS : ExpositionFormat.TEXT;
        Promise<RenderedBody> rendered = ImmediateEventExecutor.INSTANCE.newPromise();
        publisher.requestRender(format, rendered);
        RenderedBody body = rendered.get(30, TimeUnit.SECONDS);
        System.out.printf(
                "%ncached body nodes=%d format=%s identity=%d gzip=%d%n",
                nodes, format.label(), body.length(false), body.length(true));
        String headers = prometheus
                ? "Accept: " + PROMETHEUS_ACCEPT + "\r\nAccept-Encoding: gzip\r\n"
                        + "User-Agent: Prometheus/3.5.0\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n"
                : "";
        scrape = request("/metrics", headers);
        missing = request("/missing", headers);
        channel = new EmbeddedChannel(new ExporterHttpInitializer(
                publisher,
                WebServerOptions.DEFAULTS,
                WebConfigWatcher.fixed(WebConfig.NONE),
                null,
                ExporterHttpServer.STALLED_BYTES_BUDGET));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        publisher.close();
        scrape.release();
        missing.release();
    }

    @Benchmark
    public long scrape() {
        channel.writeInbound(scrape.retainedDuplicate());
        return drain();
    }

    @Benchmark
    public long notFound() {
        channel.writeInbound(missing.retainedDuplicate());
        return drain();
    }

    private long drain() {
        long bytes = 0;
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof ByteBuf) {
                ByteBuf b = (ByteBuf) out;
                bytes += b.readableBytes();
                b.release();
            } else {
                throw new IllegalStateException("unexpected outbound " + out.getClass());
            }
        }
        return bytes;
    }

    private static ByteBuf request(String path, String headers) {
        byte[] bytes = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:9090\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }
}
