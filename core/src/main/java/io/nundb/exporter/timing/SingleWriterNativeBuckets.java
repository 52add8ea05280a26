package io.nundb.exporter.timing;

/**
 * Prometheus native (exponential) histogram state: schema {@value #SCHEMA}, so 8 buckets per power of two
 * (each bound 2^(1/8) = 1.09 times the previous, at most 4.5 % off for a quantile), counts in a fixed
 * {@code long[]} updated at record time. Cumulative since construction and never reset, like
 * {@link SingleWriterBuckets}, which is fed the same samples (so both count the same observations).
 *
 * <p>Bucket {@code i} holds the durations {@code d} in seconds with {@code 2^((i-1)/8) < d <= 2^(i/8)}, the
 * index Prometheus and client_java compute. Durations up to {@link #ZERO_THRESHOLD_SECONDS} (2^-16 s,
 * 15.3 µs; the fastest reply measured on a real Nun-db took 0.42 ms) count in the zero bucket; the index
 * range is bounded at {@link #MAX_INDEX} (upper bound 2^6 = 64 s, above the 30 s canary timeout and any
 * sane request timeout), and longer durations count in that last bucket. 176 buckets, 1.4 KB.
 *
 * <p>Recording takes the double's exponent and a binary search over the 8 sub-bounds: no allocation, no
 * lock.
 *
 * <p>Thread-safety: single writer. {@link #record} and {@link #snapshot} run on the owning thread (the
 * node's event loop); the snapshot is a copy taken there, so it never tears.
 */
public final class SingleWriterNativeBuckets {
    /** Native histogram schema: 2^SCHEMA buckets per power of two. */
    public static final int SCHEMA = 3;

    /** Durations at or below this many seconds (2^-16, 15.3 µs) count in the zero bucket. */
    public static final double ZERO_THRESHOLD_SECONDS = 0x1p-16;

    private static final int PER_OCTAVE = 1 << SCHEMA;
    /** Index of the first bucket above the zero threshold: (2^-16, 2^(-16 + 1/8)]. */
    static final int MIN_INDEX = -16 * PER_OCTAVE + 1;
    /** Index of the last bucket, (2^(6 - 1/8), 2^6]; longer durations count in it too. */
    static final int MAX_INDEX = 6 * PER_OCTAVE;

    /**
     * {@code 2^(j/8) / 2} for j in 0..7: the bucket bounds of a frexp fraction in [0.5, 1), as the
     * Prometheus clients tabulate them (client_golang's {@code nativeHistogramBounds}, client_java's copy).
     * Written out because computing them is not exact: {@code StrictMath.pow} rounds the last one 1 ulp
     * low, which moves values on that bound into the next bucket. {@code SingleWriterNativeBucketsTest}
     * checks every bound against client_java.
     */
    private static final double[] FRACTION_BOUNDS = {
        0x1.0p-1,
        0x1.172b83c7d517bp-1,
        0x1.306fe0a31b715p-1,
        0x1.4bfdad5362a27p-1,
        0x1.6a09e667f3bcdp-1,
        0x1.8ace5422aa0dcp-1,
        0x1.ae89f995ad3aep-1,
        0x1.d5818dcfba488p-1
    };

    private final long[] counts = new long[MAX_INDEX - MIN_INDEX + 1];
    private long zeroCount;

    /** Records one duration (negative counts as zero). Allocation-free. */
    public void record(long durationNanos) {
        double seconds = Math.max(0, durationNanos) / 1e9;
        if (seconds <= ZERO_THRESHOLD_SECONDS) {
            zeroCount++;
        } else {
            counts[Math.min(index(seconds), MAX_INDEX) - MIN_INDEX]++;
        }
    }

    /**
     * The bucket index of {@code seconds} (positive, normal) at schema {@value #SCHEMA}: with
     * {@code seconds = frac * 2^exp} and {@code frac} in [0.5, 1), the first sub-bound not below
     * {@code frac}, plus 8 per power of two. Allocation-free.
     */
    static int index(double seconds) {
        int exp = Math.getExponent(seconds) + 1;
        double frac = Math.scalb(seconds, -exp);
        int lo = 0;
        int hi = PER_OCTAVE - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            double b = FRACTION_BOUNDS[mid];
            if (b < frac) {
                lo = mid + 1;
            } else if (b > frac) {
                hi = mid - 1;
            } else {
                return mid + (exp - 1) * PER_OCTAVE;
            }
        }
        return lo + (exp - 1) * PER_OCTAVE;
    }

    /** The non-empty buckets, ascending by index, and the zero bucket. Allocates the snapshot. */
    public RequestTimingSnapshot.NativeBuckets snapshot() {
        int n = 0;
        for (long c : counts) {
            if (c != 0) {
                n++;
            }
        }
        int[] indexes = new int[n];
        long[] nonEmpty = new long[n];
        int k = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                indexes[k] = MIN_INDEX + i;
                nonEmpty[k++] = counts[i];
            }
        }
        return new RequestTimingSnapshot.NativeBuckets(SCHEMA, ZERO_THRESHOLD_SECONDS, zeroCount, indexes, nonEmpty);
    }

    /** Retained bytes: the counts array plus this object (64-bit JVM with compressed oops). */
    public long footprintBytes() {
        return 24 + SingleWriterBuckets.arrayBytes(counts.length);
    }
}
