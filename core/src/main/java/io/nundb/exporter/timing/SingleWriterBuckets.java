package io.nundb.exporter.timing;

/**
 * Prometheus classic-histogram state: per-bucket counts in a fixed {@code long[]}, plus the exact sum (in
 * nanoseconds) and count, updated at record time. Cumulative since construction and never reset, so two
 * Prometheus servers scraping the same exporter see the same series.
 *
 * <p>A sample lands in the first bucket whose upper bound it does not exceed ({@code le} semantics); the
 * last bucket is {@code +Inf}. Counts are per bucket, not cumulative (as in
 * {@link io.nundb.exporter.timing.RequestTimingSnapshot}). Negative durations count as zero.
 *
 * <p>Recording is a linear scan over at most 11 bounds: no allocation, no lock.
 *
 * <p>Thread-safety: single writer. {@link #record} and the readers must run on the owning thread (the
 * node's event loop); other threads hand off to it.
 */
public final class SingleWriterBuckets {
    private final double[] upperBoundsSeconds;
    private final long[] upperBoundsNanos;
    private final long[] counts;
    private long sumNanos;
    private long count;

    /** Buckets with the given finite upper bounds (seconds, validated by {@link RequestTimingConfig}). */
    public SingleWriterBuckets(RequestTimingConfig config) {
        this.upperBoundsSeconds = config.bucketUpperBoundsSeconds();
        this.upperBoundsNanos = new long[upperBoundsSeconds.length];
        for (int i = 0; i < upperBoundsSeconds.length; i++) {
            // Math.round: 0.00025 s is 250000 ns exactly, not 249999 after a binary-floating product.
            upperBoundsNanos[i] = Math.round(upperBoundsSeconds[i] * 1e9);
        }
        this.counts = new long[upperBoundsSeconds.length + 1];
    }

    /** Records one duration. Allocation-free. */
    public void record(long durationNanos) {
        long v = Math.max(0, durationNanos);
        long[] bounds = upperBoundsNanos;
        int i = 0;
        while (i < bounds.length && v > bounds[i]) {
            i++;
        }
        counts[i]++;
        sumNanos += v;
        count++;
    }

    public long count() {
        return count;
    }

    /** Exact sum of the recorded durations in nanoseconds (overflows after 292 years of samples). */
    public long sumNanos() {
        return sumNanos;
    }

    /** A copy of the per-bucket counts; the last entry is {@code +Inf}. Allocates. */
    public long[] countsCopy() {
        return counts.clone();
    }

    /** A copy of the finite upper bounds in seconds. Allocates. */
    public double[] upperBoundsSecondsCopy() {
        return upperBoundsSeconds.clone();
    }

    /** Retained bytes: the three arrays plus the object (64-bit JVM with compressed oops). */
    public long footprintBytes() {
        return 32 + arrayBytes(upperBoundsSeconds.length) * 2 + arrayBytes(counts.length);
    }

    static long arrayBytes(int eightByteElements) {
        return 16 + 8L * eightByteElements;
    }
}
