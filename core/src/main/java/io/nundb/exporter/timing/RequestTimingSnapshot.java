package io.nundb.exporter.timing;

/**
 * The timings of one command on one node, read from the node's accumulators without tearing.
 *
 * <p>{@code bucketUpperBoundsSeconds} are the finite upper bounds (ascending); {@code bucketCounts}
 * has one more entry than the bounds (the last is the {@code +Inf} bucket) and holds per-bucket (not
 * cumulative) counts since the exporter started. Windowed quantiles are {@code NaN} when the window is
 * empty.
 *
 * <p>Thread-safety: immutable once built; the arrays must not be modified after construction.
 */
public record RequestTimingSnapshot(
        double[] bucketUpperBoundsSeconds,
        long[] bucketCounts,
        long count,
        double sumSeconds,
        double windowP50Seconds,
        double windowP99Seconds,
        double windowMaxSeconds,
        double emaSeconds) {}
