package io.nundb.exporter.exposition;

import io.nundb.exporter.model.ClusterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
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
 * One op = {@link ClusterMetricFamilies#build} of a synthetic {@link ClusterSnapshot} of {@code nodes}
 * nodes into client_java {@link MetricSnapshots}: the share of a render that does not depend on the
 * format ({@link ExpositionRenderBenchmark#render} includes it).
 *
 * <p>Thread-safety: {@code Scope.Thread}; one benchmark thread plays the publisher thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class ClusterMetricFamiliesBenchmark {
    @Param({"3", "100", "1000"})
    int nodes;

    ClusterSnapshot cluster;
    ExporterSnapshot exporter;

    @Setup
    public void setUp() {
        cluster = SyntheticClusterSnapshots.cluster(nodes);
        exporter = SyntheticClusterSnapshots.exporter();
    }

    @Benchmark
    public MetricSnapshots build() {
        return ClusterMetricFamilies.build(cluster, exporter);
    }
}
