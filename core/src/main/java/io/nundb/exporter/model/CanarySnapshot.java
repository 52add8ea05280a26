package io.nundb.exporter.model;

import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import java.util.Arrays;

/**
 * The replication canary as seen on one node's watch connection: the lag samples of the canary writes
 * that arrived on it, the last one, the current lag, the canaries lost for it and the requests its canary
 * connection sent.
 *
 * <p>Thread-safety: immutable; built on the node's event loop. The arrays are copied in and out.
 *
 * @param lag the lag histogram, window and EMA, or {@code null} before the first sample
 * @param lastLagSeconds the last observed lag, {@code NaN} before the first sample
 * @param lastAppliedEpochMillis wall-clock time the last canary arrived, 0 before the first
 * @param currentLagSeconds max(last observed lag, age of the oldest canary expected and not yet seen),
 *     {@code NaN} when neither exists
 * @param lost canaries written while this node was up and in the primary's view that did not arrive
 *     within the canary timeout
 * @param requests requests sent on the canary connection, indexed by {@link NunDbCommand#ordinal()}
 * @param sentinel the replication sentinel checks on this node, {@code null} before the first check
 */
public record CanarySnapshot(
        RequestTimingSnapshot lag,
        double lastLagSeconds,
        long lastAppliedEpochMillis,
        double currentLagSeconds,
        long lost,
        long[] requests,
        SentinelSnapshot sentinel) {
    public CanarySnapshot {
        requests = Arrays.copyOf(requests, NunDbCommand.values().length);
    }

    /** A snapshot of a node whose sentinel was never checked. */
    public CanarySnapshot(
            RequestTimingSnapshot lag,
            double lastLagSeconds,
            long lastAppliedEpochMillis,
            double currentLagSeconds,
            long lost,
            long[] requests) {
        this(lag, lastLagSeconds, lastAppliedEpochMillis, currentLagSeconds, lost, requests, null);
    }

    /** Requests of {@code command} sent on the canary connection. */
    public long requests(NunDbCommand command) {
        return requests[command.ordinal()];
    }

    @Override
    public long[] requests() {
        return requests.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanarySnapshot c
                && java.util.Objects.equals(lag, c.lag)
                && Double.compare(lastLagSeconds, c.lastLagSeconds) == 0
                && lastAppliedEpochMillis == c.lastAppliedEpochMillis
                && Double.compare(currentLagSeconds, c.currentLagSeconds) == 0
                && lost == c.lost
                && Arrays.equals(requests, c.requests)
                && java.util.Objects.equals(sentinel, c.sentinel);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(lag, lastLagSeconds, lastAppliedEpochMillis, currentLagSeconds, lost) * 31
                + Arrays.hashCode(requests)
                + 961 * java.util.Objects.hashCode(sentinel);
    }

    @Override
    public String toString() {
        return "CanarySnapshot(lastLag=" + lastLagSeconds + "s, current=" + currentLagSeconds + "s, lost=" + lost + ")";
    }
}
