package io.nundb.exporter.model;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the exporter knows about one node at the end of one poll cycle: its values (or the typed reason
 * it is down), the time of its last success, and its cumulative counters. Values from the last
 * successful poll are kept, but the exposition shows them only while {@link #up()} (never stale values
 * presented as current).
 *
 * <p>Thread-safety: immutable; built on the node's event loop and published to the renderer.
 */
public final class NodeSnapshot {
    private final String name;
    private final String dialAddress;
    private final boolean seed;
    private final boolean up;
    private final PollErrorReason downReason;
    private final long lastSuccessEpochMillis;
    private final long observedAtEpochMillis;
    private final MetricsState metrics;
    private final ClusterView view;
    private final long processStartEpochMillis;
    private final int databases;
    private final long[] pollErrors;
    private final long[] requests;
    private final long skippedTicks;
    private final long lateReplies;
    private final long truncatedLines;
    private final long connects;
    private final double pollCycleSeconds;
    private final Map<NunDbCommand, RequestTimingSnapshot> timings;
    private final PendingOpsSnapshot pendingOps;
    private final CanarySnapshot canary;

    private NodeSnapshot(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.dialAddress = b.dialAddress;
        this.seed = b.seed;
        this.up = b.up;
        this.downReason = b.up ? null : b.downReason;
        this.lastSuccessEpochMillis = b.lastSuccessEpochMillis;
        this.observedAtEpochMillis = b.observedAtEpochMillis;
        this.metrics = b.metrics;
        this.view = b.view;
        this.processStartEpochMillis = b.processStartEpochMillis;
        this.databases = b.databases;
        this.pollErrors = b.pollErrors.clone();
        this.requests = b.requests.clone();
        this.skippedTicks = b.skippedTicks;
        this.lateReplies = b.lateReplies;
        this.truncatedLines = b.truncatedLines;
        this.connects = b.connects;
        this.pollCycleSeconds = b.pollCycleSeconds;
        this.timings = b.timings.isEmpty() ? Map.of() : new EnumMap<>(b.timings);
        this.pendingOps = b.pendingOps;
        this.canary = b.canary;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder pre-filled with this snapshot's values. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.dialAddress = dialAddress;
        b.seed = seed;
        b.up = up;
        b.downReason = downReason;
        b.lastSuccessEpochMillis = lastSuccessEpochMillis;
        b.observedAtEpochMillis = observedAtEpochMillis;
        b.metrics = metrics;
        b.view = view;
        b.processStartEpochMillis = processStartEpochMillis;
        b.databases = databases;
        b.pollErrors = pollErrors.clone();
        b.requests = requests.clone();
        b.skippedTicks = skippedTicks;
        b.lateReplies = lateReplies;
        b.truncatedLines = truncatedLines;
        b.connects = connects;
        b.pollCycleSeconds = pollCycleSeconds;
        b.timings.putAll(timings);
        b.pendingOps = pendingOps;
        b.canary = canary;
        return b;
    }

    /** The node's identity: the name it gives itself in its own view, or the seed address until known. */
    public String name() {
        return name;
    }

    /** The {@code host:port} we dial, or {@code null} when the name is undialable. */
    public String dialAddress() {
        return dialAddress;
    }

    public boolean seed() {
        return seed;
    }

    public boolean up() {
        return up;
    }

    /** Why the node is down, or {@code null} while up. */
    public PollErrorReason downReason() {
        return downReason;
    }

    /** Wall-clock time of the last fully successful poll, 0 if never. */
    public long lastSuccessEpochMillis() {
        return lastSuccessEpochMillis;
    }

    /** Wall-clock time this snapshot was taken. */
    public long observedAtEpochMillis() {
        return observedAtEpochMillis;
    }

    /** Last {@code metrics-state} values, or {@code null} if none yet. */
    public MetricsState metrics() {
        return metrics;
    }

    /** Last {@code cluster-state} view, or {@code null} if none yet. */
    public ClusterView view() {
        return view;
    }

    /** The node's process start ({@code debug process-info}), ms since the epoch, or -1 if unknown. */
    public long processStartEpochMillis() {
        return processStartEpochMillis;
    }

    /** Number of databases ({@code debug list-dbs}), or -1 if unknown. */
    public int databases() {
        return databases;
    }

    /** Cumulative poll errors for {@code reason}. */
    public long pollErrors(PollErrorReason reason) {
        return pollErrors[reason.ordinal()];
    }

    /** Cumulative requests sent for {@code command}. */
    public long requests(NunDbCommand command) {
        return requests[command.ordinal()];
    }

    public long skippedTicks() {
        return skippedTicks;
    }

    public long lateReplies() {
        return lateReplies;
    }

    public long truncatedLines() {
        return truncatedLines;
    }

    /** Number of TCP connections established to this node for polling. */
    public long connects() {
        return connects;
    }

    /**
     * Duration of the node's last complete poll cycle in seconds, from writing its first request to
     * reading its last reply, measured on the node's event loop; NaN before the first.
     */
    public double pollCycleSeconds() {
        return pollCycleSeconds;
    }

    /** Timings per command; empty when none were recorded. */
    public Map<NunDbCommand, RequestTimingSnapshot> timings() {
        return timings;
    }

    /** Pending replication entries by member, on the node that claims primary; {@code null} if unknown. */
    public PendingOpsSnapshot pendingOps() {
        return pendingOps;
    }

    /** The replication canary on this node's watch connection; {@code null} when the canary is off. */
    public CanarySnapshot canary() {
        return canary;
    }

    @Override
    public String toString() {
        return "NodeSnapshot(" + name + ", up=" + up + (up ? "" : ", reason=" + downReason) + ")";
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private final String name;
        private String dialAddress;
        private boolean seed;
        private boolean up;
        private PollErrorReason downReason;
        private long lastSuccessEpochMillis;
        private long observedAtEpochMillis;
        private MetricsState metrics;
        private ClusterView view;
        private long processStartEpochMillis = -1;
        private int databases = -1;
        private long[] pollErrors = new long[PollErrorReason.values().length];
        private long[] requests = new long[NunDbCommand.values().length];
        private long skippedTicks;
        private long lateReplies;
        private long truncatedLines;
        private long connects;
        private double pollCycleSeconds = Double.NaN;
        private final EnumMap<NunDbCommand, RequestTimingSnapshot> timings = new EnumMap<>(NunDbCommand.class);
        private PendingOpsSnapshot pendingOps;
        private CanarySnapshot canary;

        private Builder(String name) {
            this.name = name;
        }

        public Builder dialAddress(String v) {
            dialAddress = v;
            return this;
        }

        public Builder seed(boolean v) {
            seed = v;
            return this;
        }

        public Builder up(boolean v) {
            up = v;
            return this;
        }

        public Builder downReason(PollErrorReason v) {
            downReason = v;
            return this;
        }

        public Builder lastSuccessEpochMillis(long v) {
            lastSuccessEpochMillis = v;
            return this;
        }

        public Builder observedAtEpochMillis(long v) {
            observedAtEpochMillis = v;
            return this;
        }

        public Builder metrics(MetricsState v) {
            metrics = v;
            return this;
        }

        public Builder view(ClusterView v) {
            view = v;
            return this;
        }

        public Builder processStartEpochMillis(long v) {
            processStartEpochMillis = v;
            return this;
        }

        public Builder databases(int v) {
            databases = v;
            return this;
        }

        public Builder pollErrors(PollErrorReason reason, long v) {
            pollErrors[reason.ordinal()] = v;
            return this;
        }

        /** Copies all poll error counters, indexed by {@link PollErrorReason#ordinal()}. */
        public Builder pollErrors(long[] byReason) {
            pollErrors = Arrays.copyOf(byReason, PollErrorReason.values().length);
            return this;
        }

        public Builder requests(NunDbCommand command, long v) {
            requests[command.ordinal()] = v;
            return this;
        }

        /** Copies all request counters, indexed by {@link NunDbCommand#ordinal()}. */
        public Builder requests(long[] byCommand) {
            requests = Arrays.copyOf(byCommand, NunDbCommand.values().length);
            return this;
        }

        public Builder skippedTicks(long v) {
            skippedTicks = v;
            return this;
        }

        public Builder lateReplies(long v) {
            lateReplies = v;
            return this;
        }

        public Builder truncatedLines(long v) {
            truncatedLines = v;
            return this;
        }

        public Builder connects(long v) {
            connects = v;
            return this;
        }

        public Builder pollCycleSeconds(double v) {
            pollCycleSeconds = v;
            return this;
        }

        public Builder timing(NunDbCommand command, RequestTimingSnapshot v) {
            timings.put(command, v);
            return this;
        }

        public Builder pendingOps(PendingOpsSnapshot v) {
            pendingOps = v;
            return this;
        }

        public Builder canary(CanarySnapshot v) {
            canary = v;
            return this;
        }

        public NodeSnapshot build() {
            return new NodeSnapshot(this);
        }
    }
}
