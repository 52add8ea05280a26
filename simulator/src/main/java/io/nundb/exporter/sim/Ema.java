package io.nundb.exporter.sim;

/**
 * Nun-db's exponential moving average ({@code src/lib/monitoring.rs} l.30-57, spec §3.1): factor
 * k = 2/(N+1); the first sample sets the value; then ema = (1-k)·ema + k·sample. No time decay.
 *
 * <p>Thread-safety: confined to the owning node's event loop.
 */
final class Ema {
    private final double k;
    private double value;
    private boolean seeded;

    Ema(int period) {
        this.k = 2.0 / (period + 1);
    }

    void add(double sample) {
        if (!seeded) {
            value = sample;
            seeded = true;
        } else {
            value = (1 - k) * value + k * sample;
        }
    }

    double value() {
        return value;
    }
}
