package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.NativeHistogramBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The native buckets agree with client_java's own native histogram, the reference implementation. */
class SingleWriterNativeBucketsTest {

    /** client_java's native-only histogram at the same schema and zero threshold, never scaled down. */
    private static Histogram reference() {
        return Histogram.builder()
                .name("reference_seconds")
                .nativeOnly()
                .nativeInitialSchema(SingleWriterNativeBuckets.SCHEMA)
                .nativeMinZeroThreshold(SingleWriterNativeBuckets.ZERO_THRESHOLD_SECONDS)
                .nativeMaxZeroThreshold(SingleWriterNativeBuckets.ZERO_THRESHOLD_SECONDS)
                .nativeMaxNumberOfBuckets(10_000)
                .build();
    }

    /** The reference's buckets as index -> count, the zero bucket under {@code Integer.MIN_VALUE}. */
    private static TreeMap<Integer, Long> buckets(Histogram h) {
        HistogramDataPointSnapshot p = h.collect().getDataPoints().get(0);
        assertThat(p.getNativeSchema()).isEqualTo(SingleWriterNativeBuckets.SCHEMA);
        TreeMap<Integer, Long> out = new TreeMap<>();
        if (p.getNativeZeroCount() > 0) {
            out.put(Integer.MIN_VALUE, p.getNativeZeroCount());
        }
        for (NativeHistogramBucket b : p.getNativeBucketsForPositiveValues()) {
            out.put(b.getBucketIndex(), b.getCount());
        }
        return out;
    }

    private static TreeMap<Integer, Long> buckets(RequestTimingSnapshot.NativeBuckets n) {
        assertThat(n.schema()).isEqualTo(SingleWriterNativeBuckets.SCHEMA);
        assertThat(n.indexes()).isSorted();
        assertThat(n.counts()).doesNotContain(0L);
        TreeMap<Integer, Long> out = new TreeMap<>();
        if (n.zeroCount() > 0) {
            out.put(Integer.MIN_VALUE, n.zeroCount());
        }
        for (int i = 0; i < n.indexes().length; i++) {
            out.put(n.indexes()[i], n.counts()[i]);
        }
        return out;
    }

    @Property(tries = 200)
    void bucketsMatchClientJavasNativeHistogram(@ForAll("durations") List<Long> durationsNanos) {
        SingleWriterNativeBuckets mine = new SingleWriterNativeBuckets();
        Histogram reference = reference();
        for (long d : durationsNanos) {
            mine.record(d);
            reference.observe(d / 1e9);
        }

        assertThat(buckets(mine.snapshot())).isEqualTo(buckets(reference));
    }

    @Provide
    Arbitrary<List<Long>> durations() {
        // 1 ns to 59 s (e^24.8 ns), uniform in the exponent: every power of two in range gets samples.
        Arbitrary<Long> logUniform =
                Arbitraries.doubles().ofScale(6).between(0, 24.8).map(x -> Math.max(1L, (long) Math.exp(x)));
        Arbitrary<Long> exactPowers =
                Arbitraries.integers().between(-20, 5).map(e -> Math.round(Math.scalb(1.0, e) * 1e9));
        return Arbitraries.oneOf(logUniform, exactPowers).list().ofMinSize(1).ofMaxSize(200);
    }

    @Test
    void placesEverySubBoundAndItsNeighboursAsClientJavaDoes() {
        // Values exactly on a bucket bound belong to the lower bucket (upper bounds are inclusive); this
        // checks each computed sub-bound against client_java's table, bit for bit.
        for (int exp = -15; exp <= 5; exp++) {
            for (int j = 0; j < 8; j++) {
                // Near each bound: 2^(j/8) computed (maybe an ulp off), then its neighbours.
                double bound = Math.scalb(StrictMath.pow(2, j / 8.0), exp);
                for (double v : new double[] {
                    Math.nextDown(Math.nextDown(bound)),
                    Math.nextDown(bound),
                    bound,
                    Math.nextUp(bound),
                    Math.nextUp(Math.nextUp(bound))
                }) {
                    Histogram reference = reference();
                    reference.observe(v);
                    int expected = buckets(reference).firstKey();
                    assertThat(SingleWriterNativeBuckets.index(v))
                            .as("index of %s", v)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void countsTinyDurationsInTheZeroBucketAndClampsLongOnesToTheLastBucket() {
        SingleWriterNativeBuckets b = new SingleWriterNativeBuckets();
        b.record(-5);
        b.record(0);
        b.record(15_258); // 2^-16 s is 15258.8 ns
        b.record(15_259);
        b.record(64_000_000_000L); // 64 s: the last bucket
        b.record(3_600_000_000_000L); // an hour: clamped into it

        RequestTimingSnapshot.NativeBuckets s = b.snapshot();

        assertThat(s.zeroCount()).isEqualTo(3);
        assertThat(s.zeroThresholdSeconds()).isEqualTo(0x1p-16);
        assertThat(s.indexes())
                .containsExactly(SingleWriterNativeBuckets.MIN_INDEX, SingleWriterNativeBuckets.MAX_INDEX);
        assertThat(s.counts()).containsExactly(1, 2);
    }

    @Test
    void snapshotsAreCopies() {
        SingleWriterNativeBuckets b = new SingleWriterNativeBuckets();
        b.record(1_000_000);
        RequestTimingSnapshot.NativeBuckets before = b.snapshot();

        b.record(1_000_000);

        assertThat(before.counts()).containsExactly(1);
        assertThat(b.snapshot().counts()).containsExactly(2);
    }

    @Test
    void listsOnlyNonEmptyBucketsInIndexOrder() {
        SingleWriterNativeBuckets b = new SingleWriterNativeBuckets();
        List<Long> samples = new ArrayList<>(List.of(2_000_000_000L, 1_000_000L, 1_000_000L, 500_000L));
        samples.forEach(b::record);

        RequestTimingSnapshot.NativeBuckets s = b.snapshot();

        // 2^(i/8) bounds: 0.5 ms is above 2^-11 = 0.488 ms -> index -87; 1 ms -> -79; 2 s = 2^1 -> 8.
        assertThat(s.indexes()).containsExactly(-87, -79, 8);
        assertThat(s.counts()).containsExactly(1, 2, 1);
    }
}
