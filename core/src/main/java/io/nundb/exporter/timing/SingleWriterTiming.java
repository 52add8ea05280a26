package io.nundb.exporter.timing;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * One timing series: classic-histogram buckets, native-histogram buckets, a sliding quantile window and an
 * EMA fed by the same samples. {@link SingleWriterRequestTimings} keeps one per timed command; the canary keeps one per
 * secondary for {@code nundb_replication_canary_lag_seconds}.
 *
 * <p>{@link #record} allocates nothing and takes no lock; {@link #snapshot} allocates the snapshot and
 * its arrays.
 *
 * <p>Thread-safety: single writer. Every method runs on the owning thread (the node's event loop); the
 * owner of this object enforces it.
 */
public final class SingleWriterTiming {
    private final LongSupplier nanoClock;
    private final SingleWriterBuckets buckets;
    private final SingleWriterNativeBuckets nativeBuckets;
    private final WindowedQuantiles window;
    private final Ema ema;

    /** A series with {@code config}'s buckets, window and EMA period; {@code nanoClock} is monotonic. */
    public SingleWriterTiming(RequestTimingConfig config, LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.buckets = new SingleWriterBuckets(config);
        this.nativeBuckets = new SingleWriterNativeBuckets();
        this.window = new WindowedQuantiles(config);
        this.ema = new Ema(config.emaPeriod());
    }

    /** Records one duration, placing it in the window at the clock's current time. Allocation-free. */
    public void record(long durationNanos) {
        record(durationNanos, nanoClock.getAsLong());
    }

    /**
     * Records one duration that ended at {@code nowNanos} (same clock as the injected one), sparing a
     * second clock read when the caller just read it to compute the duration. Allocation-free.
     */
    public void record(long durationNanos, long nowNanos) {
        buckets.record(durationNanos);
        nativeBuckets.record(durationNanos);
        window.record(durationNanos, nowNanos);
        ema.update(durationNanos);
    }

    /** A consistent copy of the series as of now: both bucket sets, sum, count, window quantiles and EMA. */
    public RequestTimingSnapshot snapshot() {
        window.refresh(nanoClock.getAsLong());
        return new RequestTimingSnapshot(
                buckets.upperBoundsSecondsCopy(),
                buckets.countsCopy(),
                buckets.count(),
                buckets.sumNanos() / 1e9,
                nativeBuckets.snapshot(),
                window.valueAtPercentileSeconds(50.0),
                window.valueAtPercentileSeconds(99.0),
                window.maxSeconds(),
                ema.valueSeconds());
    }

    /** Samples recorded since construction. */
    public long count() {
        return buckets.count();
    }

    /** Retained bytes of this series (estimate for a 64-bit JVM with compressed oops). */
    public long footprintBytes() {
        return 32
                + buckets.footprintBytes()
                + nativeBuckets.footprintBytes()
                + window.footprintBytes()
                + ema.footprintBytes();
    }
}
