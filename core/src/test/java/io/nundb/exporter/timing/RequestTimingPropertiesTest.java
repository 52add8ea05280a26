package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.nundb.exporter.protocol.NunDbCommand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For any interleaving of samples, clock steps and snapshots: buckets never decrease, {@code _count} and
 * {@code _sum} match the samples exactly, and the window's quantiles match the samples still in the window
 * within two significant digits.
 */
class RequestTimingPropertiesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long WINDOW = 60 * SECOND;
    private static final int SUB_INTERVALS = 6;
    private static final long SUB = WINDOW / SUB_INTERVALS;
    private static final long HIGHEST_MICROS = 10_000_000L;

    /** One step: advance the clock, then record a sample or take a snapshot. */
    record Step(boolean snapshot, long durationNanos, long advanceNanos) {}

    record Sample(long atNanos, long durationNanos) {}

    @Property(tries = 300)
    void snapshotsAgreeWithTheSamples(@ForAll("steps") List<Step> steps, @ForAll("starts") long start) {
        long[] now = {start};
        SingleWriterRequestTimings timings = new SingleWriterRequestTimings(
                RequestTimingConfig.builder().windowCapacity(4096).build(),
                ImmediateEventExecutor.INSTANCE,
                () -> now[0]);
        List<Sample> samples = new ArrayList<>();
        long[] previousCounts = new long[12];

        for (Step step : steps) {
            now[0] += step.advanceNanos();
            if (!step.snapshot()) {
                timings.record(NunDbCommand.METRICS_STATE, step.durationNanos());
                // Negative durations (a clock that stepped back) count as zero.
                samples.add(new Sample(now[0], Math.max(0, step.durationNanos())));
                continue;
            }
            RequestTimingSnapshot s = timings.snapshot().get(NunDbCommand.METRICS_STATE);
            if (samples.isEmpty()) {
                assertThat(s).isNull();
                continue;
            }
            long[] counts = s.bucketCounts();
            for (int i = 0; i < counts.length; i++) {
                assertThat(counts[i]).as("bucket %d", i).isGreaterThanOrEqualTo(previousCounts[i]);
            }
            previousCounts = counts;
            assertThat(Arrays.stream(counts).sum()).isEqualTo(samples.size());
            assertThat(s.count()).isEqualTo(samples.size());
            long total = samples.stream().mapToLong(Sample::durationNanos).sum();
            assertThat(s.sumSeconds()).isEqualTo(total / 1e9);

            int[] inWindow = inWindow(samples, now[0]);
            if (inWindow.length == 0) {
                assertThat(s.windowP50Seconds()).isNaN();
                assertThat(s.windowP99Seconds()).isNaN();
                assertThat(s.windowMaxSeconds()).isNaN();
            } else {
                assertWithinPrecision(s.windowP50Seconds(), atRank(inWindow, 50));
                assertWithinPrecision(s.windowP99Seconds(), atRank(inWindow, 99));
                assertWithinPrecision(s.windowMaxSeconds(), inWindow[inWindow.length - 1]);
            }
        }
    }

    /** Sorted microseconds of the samples still in the window at {@code now}, checking the contract. */
    private static int[] inWindow(List<Sample> samples, long now) {
        long firstKept = Math.floorDiv(now, SUB) - SUB_INTERVALS + 1;
        List<Integer> kept = new ArrayList<>();
        for (Sample s : samples) {
            boolean in = Math.floorDiv(s.atNanos(), SUB) >= firstKept;
            long age = now - s.atNanos();
            if (age >= WINDOW) {
                assertThat(in).as("sample older than the window").isFalse();
            }
            if (age < WINDOW - SUB) {
                assertThat(in).as("sample well inside the window").isTrue();
            }
            if (in) {
                kept.add((int) Math.min(s.durationNanos() / 1000, HIGHEST_MICROS));
            }
        }
        return kept.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** HdrHistogram's definition: the smallest sample with at least p% of samples at or below it. */
    private static int atRank(int[] sorted, int percentile) {
        long rank = Math.max(1, (percentile * (long) sorted.length + 99) / 100);
        return sorted[(int) rank - 1];
    }

    private static void assertWithinPrecision(double seconds, int expectedMicros) {
        long reported = Math.round(seconds * 1e6);
        // Two significant digits: HdrHistogram reports the top of a bucket at most 1/128 wide.
        assertThat(reported).isBetween((long) expectedMicros, expectedMicros + Math.max(1L, expectedMicros / 100L));
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Long> durations = Arbitraries.oneOf(
                Arbitraries.longs().between(0L, 5_000_000L),
                Arbitraries.longs().between(0L, 20 * SECOND),
                Arbitraries.longs().between(-1000L, 1000L));
        Arbitrary<Long> advances = Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0L, SECOND),
                Arbitraries.longs().between(0L, 2 * WINDOW));
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 3), durations, advances)
                .as((kind, d, a) -> new Step(kind == 0, d, a));
        return step.list().ofMaxSize(300);
    }

    @Provide
    Arbitrary<Long> starts() {
        return Arbitraries.oneOf(
                Arbitraries.just(0L), Arbitraries.longs().between(Long.MIN_VALUE / 4, Long.MAX_VALUE / 4));
    }
}
