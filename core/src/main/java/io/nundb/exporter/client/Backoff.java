package io.nundb.exporter.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect backoff with jitter: the n-th consecutive failure waits
 * {@code min(max, initial * 2^(n-1))} scaled by a random factor in {@code [1 - jitter, 1]}, so that
 * nodes that failed together do not reconnect together. {@link #reset()} after a successful handshake.
 *
 * <p>Thread-safety: not thread-safe; owned by one node's event loop. Does not allocate.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final double jitter;
    private final DoubleSupplier random;
    private int failures;

    /**
     * @param initial the first delay, at least 1 ms
     * @param max the largest delay, at least {@code initial}
     * @param jitter fraction of the delay that is randomised, in {@code [0, 1)}
     * @param random uniform values in {@code [0, 1)}
     */
    public Backoff(Duration initial, Duration max, double jitter, DoubleSupplier random) {
        if (initial.toMillis() < 1) {
            throw new IllegalArgumentException("backoff initial must be at least 1ms");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff max must be at least the initial delay");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("backoff jitter must be in [0, 1)");
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
        this.random = random;
    }

    /** The delay before the next attempt, in nanoseconds; counts one more failure. */
    public long nextDelayNanos() {
        int shift = Math.min(failures, 30);
        failures++;
        long base = initialNanos << shift;
        if (base <= 0 || base > maxNanos) {
            base = maxNanos;
        }
        return (long) (base * (1 - jitter * random.getAsDouble()));
    }

    public void reset() {
        failures = 0;
    }
}
