package io.nundb.exporter.timing;

import io.nundb.exporter.protocol.NunDbCommand;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Validated settings of the timing accumulators: classic-histogram bucket bounds, the quantile window,
 * the EMA period and which commands are timed.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>Name</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>bucketUpperBoundsSeconds</td><td>{@link #DEFAULT_BUCKET_UPPER_BOUNDS_SECONDS}</td>
 *       <td>finite {@code le} bounds, ascending, positive, at most {@value #MAX_FINITE_BUCKETS}
 *       (+Inf is implicit, so at most 12 buckets)</td></tr>
 *   <tr><td>window</td><td>{@value #DEFAULT_WINDOW_SECONDS} s</td><td>length of the quantile window</td></tr>
 *   <tr><td>windowSubIntervals</td><td>{@value #DEFAULT_WINDOW_SUB_INTERVALS}</td>
 *       <td>expiry granularity: samples leave the window a sub-interval at a time</td></tr>
 *   <tr><td>windowCapacity</td><td>{@value #DEFAULT_WINDOW_CAPACITY}</td>
 *       <td>most samples kept in the window per command; beyond it the oldest leave early</td></tr>
 *   <tr><td>emaPeriod</td><td>{@value #DEFAULT_EMA_PERIOD}</td><td>N of the EMA, k = 2/(N+1), as Nun-db</td></tr>
 *   <tr><td>timedCommands</td><td>the five polls</td><td>commands that get accumulators</td></tr>
 * </table>
 *
 * <p>Default bounds, from the latencies measured on a real Nun-db (docs/nundb-protocol.md, Appendix B/C of the
 * protocol notes; loopback, 2 cores):
 *
 * <table>
 *   <caption>Why each default bound</caption>
 *   <tr><th>Bounds (s)</th><th>Measured</th></tr>
 *   <tr><td>0.0005, 0.001</td><td>a lock-step {@code metrics-state} with {@code TCP_QUICKACK} re-armed: min
 *       0.42 ms, median 0.53 ms</td></tr>
 *   <tr><td>0.0025, 0.005</td><td>its p99: 4.8 ms; canary lag: min 1.7 ms, median 3.9 ms</td></tr>
 *   <tr><td>0.01, 0.02</td><td>slower than healthy, still below any ACK delay</td></tr>
 *   <tr><td>0.035, 0.06</td><td>a reply held back by delayed ACK against Nagle (Nun-db never sets
 *       {@code TCP_NODELAY}; Linux delays an ACK at least 40 ms): median 44.0 ms, p99 49.7 ms, so the
 *       (35 ms, 60 ms] bucket holds exactly those replies; the first canary push after a subscribe took
 *       40-50 ms for the same reason</td></tr>
 *   <tr><td>0.25, 1</td><td>slow and very slow (the request timeout defaults to 2 s)</td></tr>
 *   <tr><td>10</td><td>near the canary timeout (30 s); beyond it only +Inf</td></tr>
 * </table>
 *
 * <p>11 finite bounds plus +Inf = 12 buckets. Each series also carries a native histogram of schema 3
 * ({@link SingleWriterNativeBuckets}) for full resolution where Prometheus negotiates protobuf.
 *
 * <p>Thread-safety: immutable; safe to share between threads.
 */
public final class RequestTimingConfig {
    /** Most finite bucket bounds: with the implicit +Inf bucket a histogram has at most 12 buckets. */
    public static final int MAX_FINITE_BUCKETS = 11;

    public static final int DEFAULT_WINDOW_SECONDS = 60;
    public static final int DEFAULT_WINDOW_SUB_INTERVALS = 6;
    public static final int DEFAULT_WINDOW_CAPACITY = 256;
    public static final int DEFAULT_EMA_PERIOD = 100;
    /** Upper limit of {@code windowCapacity}, keeping a node within its 64 KB budget. */
    public static final int MAX_WINDOW_CAPACITY = 4096;

    private static final double[] DEFAULT_BUCKET_UPPER_BOUNDS_SECONDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.06, 0.25, 1, 10
    };

    private static final Set<NunDbCommand> DEFAULT_TIMED_COMMANDS = Collections.unmodifiableSet(EnumSet.of(
            NunDbCommand.METRICS_STATE,
            NunDbCommand.CLUSTER_STATE,
            NunDbCommand.DEBUG_PENDING_OPS,
            NunDbCommand.DEBUG_PROCESS_INFO,
            NunDbCommand.DEBUG_LIST_DBS));

    private static final RequestTimingConfig DEFAULTS = builder().build();

    private final double[] bucketUpperBoundsSeconds;
    private final long windowNanos;
    private final int windowSubIntervals;
    private final int windowCapacity;
    private final int emaPeriod;
    private final Set<NunDbCommand> timedCommands;

    private RequestTimingConfig(Builder b) {
        this.bucketUpperBoundsSeconds = b.bucketUpperBoundsSeconds.clone();
        this.windowNanos = b.windowNanos;
        this.windowSubIntervals = b.windowSubIntervals;
        this.windowCapacity = b.windowCapacity;
        this.emaPeriod = b.emaPeriod;
        this.timedCommands = Collections.unmodifiableSet(EnumSet.copyOf(b.timedCommands));
    }

    /** The defaults described in the class javadoc. */
    public static RequestTimingConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of the finite bucket upper bounds in seconds, ascending. */
    public double[] bucketUpperBoundsSeconds() {
        return bucketUpperBoundsSeconds.clone();
    }

    public long windowNanos() {
        return windowNanos;
    }

    public int windowSubIntervals() {
        return windowSubIntervals;
    }

    public int windowCapacity() {
        return windowCapacity;
    }

    public int emaPeriod() {
        return emaPeriod;
    }

    /** Unmodifiable set of the commands that get accumulators. */
    public Set<NunDbCommand> timedCommands() {
        return timedCommands;
    }

    @Override
    public String toString() {
        return "RequestTimingConfig{buckets=" + Arrays.toString(bucketUpperBoundsSeconds) + ", windowNanos="
                + windowNanos + ", windowSubIntervals=" + windowSubIntervals + ", windowCapacity="
                + windowCapacity + ", emaPeriod=" + emaPeriod + ", timedCommands=" + timedCommands + '}';
    }

    /** Fluent builder; {@link #build()} validates. Thread-safety: not thread-safe, use from one thread. */
    public static final class Builder {
        private double[] bucketUpperBoundsSeconds = DEFAULT_BUCKET_UPPER_BOUNDS_SECONDS;
        private long windowNanos = Duration.ofSeconds(DEFAULT_WINDOW_SECONDS).toNanos();
        private int windowSubIntervals = DEFAULT_WINDOW_SUB_INTERVALS;
        private int windowCapacity = DEFAULT_WINDOW_CAPACITY;
        private int emaPeriod = DEFAULT_EMA_PERIOD;
        private Set<NunDbCommand> timedCommands = DEFAULT_TIMED_COMMANDS;

        private Builder() {}

        /** Finite upper bounds in seconds: positive, finite, strictly ascending, 1 to 11 of them. */
        public Builder bucketUpperBoundsSeconds(double... bounds) {
            Objects.requireNonNull(bounds, "bounds");
            if (bounds.length == 0 || bounds.length > MAX_FINITE_BUCKETS) {
                throw new IllegalArgumentException(
                        "need 1.." + MAX_FINITE_BUCKETS + " finite bucket bounds, got " + bounds.length);
            }
            for (int i = 0; i < bounds.length; i++) {
                double b = bounds[i];
                if (!(b > 0) || Double.isInfinite(b)) {
                    throw new IllegalArgumentException("bucket bound must be positive and finite: " + b);
                }
                if (b * 1e9 < 1) {
                    throw new IllegalArgumentException("bucket bound below one nanosecond: " + b);
                }
                if (i > 0 && !(b > bounds[i - 1])) {
                    throw new IllegalArgumentException(
                            "bucket bounds must be strictly ascending: " + Arrays.toString(bounds));
                }
            }
            this.bucketUpperBoundsSeconds = bounds.clone();
            return this;
        }

        /** Length of the quantile window; at least one millisecond per sub-interval. */
        public Builder window(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive: " + window);
            }
            this.windowNanos = window.toNanos();
            return this;
        }

        /** Number of sub-intervals of the window, 1 to 60. */
        public Builder windowSubIntervals(int subIntervals) {
            if (subIntervals < 1 || subIntervals > 60) {
                throw new IllegalArgumentException("windowSubIntervals must be in 1..60: " + subIntervals);
            }
            this.windowSubIntervals = subIntervals;
            return this;
        }

        /** Most samples kept in the window per command, 1 to {@value #MAX_WINDOW_CAPACITY}. */
        public Builder windowCapacity(int capacity) {
            if (capacity < 1 || capacity > MAX_WINDOW_CAPACITY) {
                throw new IllegalArgumentException(
                        "windowCapacity must be in 1.." + MAX_WINDOW_CAPACITY + ": " + capacity);
            }
            this.windowCapacity = capacity;
            return this;
        }

        /** EMA period N, at least 1 (N = 1 keeps only the last sample). */
        public Builder emaPeriod(int period) {
            if (period < 1) {
                throw new IllegalArgumentException("emaPeriod must be >= 1: " + period);
            }
            this.emaPeriod = period;
            return this;
        }

        /** Commands that get accumulators; samples of other commands are ignored. */
        public Builder timedCommands(Set<NunDbCommand> commands) {
            Objects.requireNonNull(commands, "commands");
            for (NunDbCommand c : commands) {
                Objects.requireNonNull(c, "command");
            }
            this.timedCommands = commands.isEmpty() ? EnumSet.noneOf(NunDbCommand.class) : EnumSet.copyOf(commands);
            return this;
        }

        public RequestTimingConfig build() {
            if (windowNanos / windowSubIntervals < 1_000_000L) {
                throw new IllegalArgumentException("window sub-interval shorter than 1 ms: windowNanos=" + windowNanos
                        + ", subIntervals=" + windowSubIntervals);
            }
            return new RequestTimingConfig(this);
        }
    }
}
