package io.nundb.exporter.timing;

/**
 * Exponential moving average over N samples, as Nun-db computes its own: {@code k = 2 / (N + 1)}, the
 * first sample sets the average, each later one moves it by {@code k * (x - ema)}. Kept because operators
 * asked for it; the histogram is the primary signal.
 *
 * <p>Thread-safety: single writer; {@link #update} and {@link #valueSeconds} run on the owning thread.
 */
public final class Ema {
    private final double k;
    private double emaNanos = Double.NaN;

    /** An EMA with period {@code period >= 1}. */
    public Ema(int period) {
        if (period < 1) {
            throw new IllegalArgumentException("period must be >= 1: " + period);
        }
        this.k = 2.0 / (period + 1);
    }

    /** Folds one sample in. Allocation-free. */
    public void update(long durationNanos) {
        double x = Math.max(0, durationNanos);
        double current = emaNanos;
        emaNanos = Double.isNaN(current) ? x : current + k * (x - current);
    }

    /** The average in seconds, {@code NaN} before the first sample. */
    public double valueSeconds() {
        return emaNanos / 1e9;
    }

    long footprintBytes() {
        return 32;
    }
}
