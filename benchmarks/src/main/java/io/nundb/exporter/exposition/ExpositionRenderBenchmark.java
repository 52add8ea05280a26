package io.nundb.exporter.exposition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.nundb.exporter.model.ClusterSnapshot;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One op = one publisher render of one format from a synthetic {@link ClusterSnapshot} of
 * {@code nodes} nodes: {@link ClusterMetricFamilies#build} (client_java snapshot objects), the
 * client_java 1.10.0 writer into a pooled direct {@link ByteBuf} sized from the previous render, and
 * when {@code gzip} the {@link GZIPOutputStream} pass into a second pooled buffer; both buffers are
 * released. This is the work {@code MetricsPublisher} does per format per tick (its JVM collectors
 * excluded). The setup prints the body size, series count and bytes per node and per series once.
 *
 * <p>{@code gc.alloc.rate.norm} / series = bytes allocated per series (the series count is printed by
 * the setup). No baseline method here: taking and releasing the two pooled buffers costs well under a
 * microsecond and allocates nothing, against milliseconds per render; {@link
 * ClusterMetricFamiliesBenchmark} isolates the format-independent share.
 *
 * <p>Thread-safety: {@code Scope.Thread}; one benchmark thread plays the publisher thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class ExpositionRenderBenchmark {
    private static final int MIN_CAPACITY = 4096;

    @Param({"3", "100", "1000"})
    int nodes;

    @Param({"text", "openmetrics", "protobuf"})
    String format;

    @Param({"false", "true"})
    boolean gzip;

    ClusterSnapshot cluster;
    ExporterSnapshot exporter;
    ExpositionFormatWriter writer;
    ByteBufAllocator alloc;
    int lastSize;
    int lastGzipSize;

    @Setup
    public void setUp() throws IOException {
        cluster = SyntheticClusterSnapshots.cluster(nodes);
        exporter = SyntheticClusterSnapshots.exporter();
        writer = writer(ExpositionFormats.init(), format);
        alloc = PooledByteBufAllocator.DEFAULT;
        MetricSnapshots families = ClusterMetricFamilies.build(cluster, exporter);
        ByteBuf identity = write(writer, families, MIN_CAPACITY);
        ByteBuf gz = gzip(identity, MIN_CAPACITY);
        lastSize = identity.readableBytes();
        lastGzipSize = gz.readableBytes();
        ByteBuf text = write(writer(ExpositionFormats.init(), "text"), families, MIN_CAPACITY);
        int series = SyntheticClusterSnapshots.seriesInText(ByteBufUtil.getBytes(text));
        text.release();
        System.out.printf(
                "%nsize nodes=%d format=%s identity=%d gzip=%d series=%d series/node=%.1f bytes/node=%d"
                        + " gzip-bytes/node=%d bytes/series=%.1f%n",
                nodes,
                format,
                lastSize,
                lastGzipSize,
                series,
                series / (double) nodes,
                lastSize / nodes,
                lastGzipSize / nodes,
                lastSize / (double) series);
        identity.release();
        gz.release();
    }

    @Benchmark
    public int render() throws IOException {
        MetricSnapshots families = ClusterMetricFamilies.build(cluster, exporter);
        ByteBuf identity = write(writer, families, lastSize);
        int size = identity.readableBytes();
        if (gzip) {
            ByteBuf gz = gzip(identity, lastGzipSize);
            size = gz.readableBytes();
            gz.release();
        }
        identity.release();
        return size;
    }

    static ExpositionFormatWriter writer(ExpositionFormats formats, String format) {
        switch (format) {
            case "openmetrics":
                return formats.getOpenMetricsTextFormatWriter();
            case "protobuf":
                return formats.getPrometheusProtobufWriter();
            case "text":
                return formats.getPrometheusTextFormatWriter();
            default:
                throw new IllegalArgumentException("unknown format " + format);
        }
    }

    private ByteBuf write(ExpositionFormatWriter w, MetricSnapshots families, int last) throws IOException {
        ByteBuf buf = alloc.directBuffer(capacityFor(last));
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            w.write(out, families);
        }
        return buf;
    }

    private ByteBuf gzip(ByteBuf identity, int last) throws IOException {
        ByteBuf buf = alloc.directBuffer(capacityFor(last));
        try (GZIPOutputStream out = new GZIPOutputStream(new ByteBufOutputStream(buf), 8192)) {
            identity.getBytes(identity.readerIndex(), out, identity.readableBytes());
        }
        return buf;
    }

    private static int capacityFor(int last) {
        return Math.max(MIN_CAPACITY, last + (last >> 3));
    }
}
