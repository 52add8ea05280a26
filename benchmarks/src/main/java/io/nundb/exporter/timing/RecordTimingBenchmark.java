package io.nundb.exporter.timing;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.nundb.exporter.protocol.NunDbCommand;
import java.util.SplittableRandom;
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
 * One op = one {@link SingleWriterRequestTimings#record} of a {@code metrics-state} duration: classic
 * and native bucket updates, HdrHistogram window (with its expiry log) and EMA, on the default config. The clock moves
 * {@code clockStepNanos} per op: 1 µs is a burst that overflows the 256-sample window log (rebuilds from
 * overflow), 1 s is the default poll rate (rebuilds from expiry). {@link #baseline} does the same input
 * selection and clock step without recording.
 *
 * <p>Thread-safety: {@code Scope.Thread}; the benchmark thread plays the node's event loop (the owner is
 * {@link ImmediateEventExecutor}, and forks run without {@code -ea}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class RecordTimingBenchmark {
    private static final int SAMPLES = 1024;
    private static final int MASK = SAMPLES - 1;

    @Param({"1000", "1000000000"})
    long clockStepNanos;

    long[] durationsNanos;
    int next;
    long nowNanos;
    NunDbCommand command;
    SingleWriterRequestTimings timings;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        durationsNanos = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            // Log-uniform from 100 µs to 100 ms: the span where healthy and slow polls land.
            durationsNanos[i] = (long) (100_000 * Math.pow(1000, random.nextDouble()));
        }
        command = NunDbCommand.METRICS_STATE;
        timings = new SingleWriterRequestTimings(
                RequestTimingConfig.defaults(), ImmediateEventExecutor.INSTANCE, this::now);
    }

    long now() {
        return nowNanos;
    }

    @Benchmark
    public boolean record() {
        long d = durationsNanos[next++ & MASK];
        nowNanos += clockStepNanos;
        return timings.record(command, d);
    }

    @Benchmark
    public long baseline() {
        long d = durationsNanos[next++ & MASK];
        nowNanos += clockStepNanos;
        return d;
    }
}
