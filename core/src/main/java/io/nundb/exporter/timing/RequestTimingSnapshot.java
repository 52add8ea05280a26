package io.nundb.exporter.timing;

/**
 * The timings of one command on one node, read from the node's accumulators without tearing.
 *
 * <p>{@code bucketUpperBoundsSeconds} are the finite upper bounds (ascending); {@code bucketCounts}
 * has one more entry than the bounds (the last is the {@code +Inf} bucket) and holds per-bucket (not
 * cumulative) counts since the exporter started. {@code nativeBuckets} is the native histogram of the same
 * samples, or {@code null} when there is none. Windowed quantiles are {@code NaN} when the window is
 * empty.
 *
 * <p>Thread-safety: immutable once built; the arrays must not be modified after construction.
 */
public record RequestTimingSnapshot(
        double[] bucketUpperBoundsSeconds,
        long[] bucketCounts,
        long count,
        double sumSeconds,
        NativeBuckets nativeBuckets,
        double windowP50Seconds,
        double windowP99Seconds,
        double windowMaxSeconds,
        double emaSeconds) {

    /**
     * A native (exponential) histogram since the exporter started: bucket {@code i} holds the values
     * {@code v} with {@code 2^((i-1) / 2^schema) < v <= 2^(i / 2^schema)}; {@code indexes} (ascending) and
     * {@code counts} list the non-empty buckets, {@code zeroCount} the values at or below
     * {@code zeroThresholdSeconds}.
     *
     * <p>Thread-safety: immutable once built; the arrays must not be modified after construction.
     */
    public record NativeBuckets(
            int schema, double zeroThresholdSeconds, long zeroCount, int[] indexes, long[] counts) {}
}
