package io.nundb.exporter.exposition;

import static io.nundb.exporter.exposition.ClusterMetricFamilies.add;
import static io.nundb.exporter.exposition.ClusterMetricFamilies.addIfFinite;
import static io.nundb.exporter.exposition.ClusterMetricFamilies.counter;
import static io.nundb.exporter.exposition.ClusterMetricFamilies.gauge;
import static io.nundb.exporter.exposition.ClusterMetricFamilies.histogram;

import io.nundb.exporter.model.CanaryIgnoreReason;
import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.CanaryTotals;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.SentinelResult;
import io.nundb.exporter.model.SentinelSnapshot;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replication families of one render, for {@link ClusterMetricFamilies#build}: the primary's
 * {@code debug pending-ops} per member, the canary (lag, loss, skipped and ignored writes) and the
 * sentinel. Each node is added in the same pass as its other families ({@link #addNode}), then
 * {@link #addTo} appends the families, cluster-level canary counters included.
 *
 * <p>Rules: the canary series of a node that is down keep only their cumulative counters and lag
 * histogram; a node with no canary (canary off, or not yet watched) has none; pending-ops series exist
 * only for an up node that answered {@code debug pending-ops}; no sentinel series for a node never
 * checked.
 *
 * <p>Thread-safety: not thread-safe; one instance per {@code build} call, confined to its thread (the
 * publisher). Allocates the families it builds.
 */
final class ReplicationMetricFamilies {
    private final GaugeSnapshot.Builder replPending = gauge(
            "nundb_replication_pending_ops",
            null,
            "Replication entries on the primary (node) not yet acknowledged by member (debug pending-ops):"
                    + " waiting, or orphaned (can never be acknowledged until the primary restarts).");
    private final GaugeSnapshot.Builder replOldest = gauge(
            "nundb_replication_oldest_waiting_timestamp_seconds",
            Unit.SECONDS,
            "Time of the oldest entry on the primary (node) waiting for member; absent when nothing waits.");

    private final HistogramSnapshot.Builder canaryLag = HistogramSnapshot.builder()
            .name("nundb_replication_canary_lag_seconds")
            .unit(Unit.SECONDS)
            .help("Time from the exporter's canary write on the primary to its changed push on this node"
                    + " (monotonic clock, one sample per canary).");
    private final GaugeSnapshot.Builder canaryLastLag = gauge(
            "nundb_replication_canary_last_lag_seconds",
            Unit.SECONDS,
            "Lag of the last canary that arrived on this node.");
    private final GaugeSnapshot.Builder canaryLastApplied = gauge(
            "nundb_replication_canary_last_applied_timestamp_seconds",
            Unit.SECONDS,
            "Wall-clock time the last canary arrived on this node.");
    private final GaugeSnapshot.Builder replicationLag = gauge(
            "nundb_replication_lag_seconds",
            Unit.SECONDS,
            "Current replication lag of this node: max(last canary lag, age of the oldest canary written on"
                    + " the primary while this node was up and in its view and not yet seen here). Alert on"
                    + " this.");
    private final CounterSnapshot.Builder canaryLost = counter(
            "nundb_replication_canary_lost_total",
            "Canaries written while this node was up and in the primary's view that did not arrive within"
                    + " --canary.timeout.");

    /** Adds {@code node}'s replication series; {@code nodeLabels} is its {@code node} label. */
    void addNode(NodeSnapshot node, Labels nodeLabels) {
        CanarySnapshot canary = node.canary();
        if (canary != null) {
            add(canaryLost, nodeLabels, canary.lost());
            RequestTimingSnapshot lag = canary.lag();
            if (lag != null) {
                canaryLag.dataPoint(histogram(nodeLabels, lag));
            }
            if (node.up()) {
                addIfFinite(canaryLastLag, nodeLabels, canary.lastLagSeconds());
                if (canary.lastAppliedEpochMillis() > 0) {
                    add(canaryLastApplied, nodeLabels, Unit.millisToSeconds(canary.lastAppliedEpochMillis()));
                }
                addIfFinite(replicationLag, nodeLabels, canary.currentLagSeconds());
            }
        }
        PendingOpsSnapshot ops = node.up() ? node.pendingOps() : null;
        if (ops == null) {
            return;
        }
        String name = node.name();
        for (Map.Entry<String, PendingOpsSnapshot.Member> e : new TreeMap<>(ops.members()).entrySet()) {
            PendingOpsSnapshot.Member member = e.getValue();
            add(replPending, Labels.of("member", e.getKey(), "node", name, "state", "waiting"), member.waiting());
            add(replPending, Labels.of("member", e.getKey(), "node", name, "state", "orphaned"), member.orphaned());
            if (member.oldestWaitingOpIdNanos() >= 0) {
                add(replOldest, Labels.of("member", e.getKey(), "node", name), member.oldestWaitingOpIdNanos() / 1e9);
            }
        }
    }

    /** Appends the families of every node added so far, then the cluster's canary and sentinel families. */
    void addTo(List<MetricSnapshot> out, ClusterSnapshot cluster) {
        out.add(replPending.build());
        out.add(replOldest.build());
        out.add(canaryLag.build());
        out.add(canaryLastLag.build());
        out.add(canaryLastApplied.build());
        out.add(replicationLag.build());
        out.add(canaryLost.build());
        addCanaryTotals(out, cluster.canary());
        addSentinel(out, cluster.nodes());
    }

    /** Cluster-level canary counters; every reason from the first render while the canary is on. */
    private static void addCanaryTotals(List<MetricSnapshot> out, CanaryTotals totals) {
        CounterSnapshot.Builder skipped = counter(
                "nundb_replication_canary_skipped_total",
                "Canary writes not made, or discarded by a failover before they could be seen, by reason.");
        CounterSnapshot.Builder ignored = counter(
                "nundb_replication_canary_ignored_total",
                "Pushes of the canary key ignored: written by another exporter instance, or unparsable (a value"
                        + " mangled by a catch-up).");
        if (totals != null) {
            for (CanarySkipReason r : CanarySkipReason.values()) {
                add(skipped, Labels.of("reason", r.label()), totals.skipped(r));
            }
            for (CanaryIgnoreReason r : CanaryIgnoreReason.values()) {
                add(ignored, Labels.of("reason", r.label()), totals.ignored(r));
            }
        }
        out.add(skipped.build());
        out.add(ignored.build());
    }

    /** The replication sentinel per node; no series for a node never checked. */
    private static void addSentinel(List<MetricSnapshot> out, List<NodeSnapshot> nodes) {
        GaugeSnapshot.Builder present = gauge(
                "nundb_replication_sentinel_present",
                null,
                "1 when this node held the exporter's sentinel key with the primary's value at its last answered"
                        + " check, 0 when it was missing (or the canary database was) or different: a member that"
                        + " rejoined without its data.");
        CounterSnapshot.Builder checks = counter(
                "nundb_replication_sentinel_checks_total",
                "Reads of the sentinel key on this node by result (present, missing, different, error).");
        for (NodeSnapshot node : nodes) {
            CanarySnapshot canary = node.canary();
            SentinelSnapshot sentinel = canary == null ? null : canary.sentinel();
            if (sentinel == null) {
                continue;
            }
            if (sentinel.last() != null) {
                add(present, Labels.of("node", node.name()), sentinel.present() ? 1 : 0);
            }
            for (SentinelResult r : SentinelResult.values()) {
                add(checks, Labels.of("node", node.name(), "result", r.label()), sentinel.checks(r));
            }
        }
        out.add(present.build());
        out.add(checks.build());
    }
}
