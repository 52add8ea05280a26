package io.nundb.exporter.exposition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
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
 * One op = gzip-compressing the pre-rendered text body of a synthetic cluster of {@code nodes} nodes
 * into a pooled direct buffer, at deflate {@code level} 6 (the JDK's default, what
 * {@code MetricsPublisher} uses) or 1 ({@link Deflater#BEST_SPEED}): the gzip share of a render and the
 * saving a lower level would bring. The setup prints the compressed size per level.
 *
 * <p>Thread-safety: {@code Scope.Thread}; one benchmark thread plays the publisher thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class GzipLevelBenchmark {
    @Param({"100", "1000"})
    int nodes;

    @Param({"6", "1"})
    int level;

    ByteBufAllocator alloc;
    ByteBuf text;
    int lastSize;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        alloc = PooledByteBufAllocator.DEFAULT;
        text = alloc.directBuffer(1 << 20);
        try (ByteBufOutputStream out = new ByteBufOutputStream(text)) {
            ExpositionFormats.init()
                    .getPrometheusTextFormatWriter()
                    .write(
                            out,
                            ClusterMetricFamilies.build(
                                    SyntheticClusterSnapshots.cluster(nodes), SyntheticClusterSnapshots.exporter()));
        }
        lastSize = gzip();
        System.out.printf(
                "%ngzip nodes=%d level=%d identity=%d gzip=%d%n", nodes, level, text.readableBytes(), lastSize);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        text.release();
    }

    @Benchmark
    public int gzip() throws IOException {
        ByteBuf buf = alloc.directBuffer(Math.max(4096, lastSize + (lastSize >> 3)));
        try (OutputStream out = new LevelGzipOutputStream(new ByteBufOutputStream(buf), level)) {
            text.getBytes(text.readerIndex(), out, text.readableBytes());
        }
        int size = buf.readableBytes();
        buf.release();
        return size;
    }

    /** {@link GZIPOutputStream} at a chosen deflate level. Thread-safety: not thread-safe (a stream). */
    static final class LevelGzipOutputStream extends GZIPOutputStream {
        LevelGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, 8192);
            def.setLevel(level);
        }
    }
}
