package io.nundb.exporter.exposition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.nundb.exporter.model.ClusterSnapshot;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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
 * {@code nodes} nodes: {@link ClusterMetricFamilies#build} (client_java snapshot objects), then the
 * exporter's own {@link ExpositionRenderer} ({@link ExpositionRenderer#pooled()}, what
 * {@code MetricsPublisher} renders with): the client_java 1.10.0 writer into a pooled direct
 * {@link ByteBuf} sized from the previous render, and when {@code gzip} the gzip pass at
 * {@link ExpositionRenderer#GZIP_LEVEL} into a second pooled buffer; both buffers are released. This is
 * the work {@code MetricsPublisher} does per format per tick (its JVM collectors excluded). The setup
 * prints the body size, series count and bytes per node and per series once.
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
    @Param({"3", "100", "1000"})
    int nodes;

    /** An {@link ExpositionFormat#label()}. */
    @Param({"text", "openmetrics", "protobuf"})
    String format;

    @Param({"false", "true"})
    boolean gzip;

    ClusterSnapshot cluster;
    ExporterSnapshot exporter;
    ExpositionRenderer renderer;
    ExpositionFormatWriter writer;
    int lastSize;
    int lastGzipSize;

    @Setup
    public void setUp() throws IOException {
        cluster = SyntheticClusterSnapshots.cluster(nodes);
        exporter = SyntheticClusterSnapshots.exporter();
        renderer = ExpositionRenderer.pooled();
        writer = renderer.writer(ExpositionFormat.valueOf(format.toUpperCase(Locale.ROOT)));
        MetricSnapshots families = ClusterMetricFamilies.build(cluster, exporter);
        ByteBuf identity = renderer.write(writer, families, 0);
        ByteBuf gz = renderer.gzip(identity, 0);
        lastSize = identity.readableBytes();
        lastGzipSize = gz.readableBytes();
        ByteBuf text = renderer.write(renderer.writer(ExpositionFormat.TEXT), families, 0);
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
        ByteBuf identity = renderer.write(writer, families, lastSize);
        int size = identity.readableBytes();
        if (gzip) {
            ByteBuf gz = renderer.gzip(identity, lastGzipSize);
            size = gz.readableBytes();
            gz.release();
        }
        identity.release();
        return size;
    }
}
