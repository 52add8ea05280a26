package io.nundb.exporter.exposition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
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
 * One op = {@link ExpositionRenderer#gzip} of the pre-rendered text body of a synthetic cluster of
 * {@code nodes} nodes into a pooled direct buffer, at deflate {@code level} 1 ({@link Deflater#BEST_SPEED},
 * {@link ExpositionRenderer#GZIP_LEVEL}, what {@code MetricsPublisher} uses) or 6 (the JDK's default):
 * the gzip share of a render and what the exporter's level saves. Same renderer code at both levels;
 * only the level differs. The setup prints the compressed size per level.
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

    ExpositionRenderer renderer;
    ByteBuf text;
    int lastSize;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        renderer = new ExpositionRenderer(PooledByteBufAllocator.DEFAULT, level);
        text = renderer.write(
                renderer.writer(ExpositionFormat.TEXT),
                ClusterMetricFamilies.build(
                        SyntheticClusterSnapshots.cluster(nodes), SyntheticClusterSnapshots.exporter()),
                0);
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
        ByteBuf buf = renderer.gzip(text, lastSize);
        int size = buf.readableBytes();
        buf.release();
        return size;
    }
}
