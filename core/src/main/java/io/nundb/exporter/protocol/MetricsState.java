package io.nundb.exporter.protocol;

/**
 * The values of one {@code metrics-state} reply (spec §3.1), in the server's own units: the two moving
 * averages are milliseconds.
 *
 * <p>Thread-safety: immutable.
 */
public record MetricsState(
        long pendingOps,
        long opLogFileSizeBytes,
        long opLogCount,
        double replicationTimeEmaMillis,
        double queryTimeEmaMillis) {}
