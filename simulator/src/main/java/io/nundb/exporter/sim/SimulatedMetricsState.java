package io.nundb.exporter.sim;

/**
 * The values a simulated node answers to {@code metrics-state} (spec §3.1), in the server's own units:
 * the two moving averages are milliseconds. The simulator's own type, so the simulator depends on
 * nothing of the exporter; the exporter's parser has its own reply type.
 *
 * <p>Thread-safety: immutable.
 */
public record SimulatedMetricsState(
        long pendingOps,
        long opLogFileSizeBytes,
        long opLogCount,
        double replicationTimeEmaMillis,
        double queryTimeEmaMillis) {}
