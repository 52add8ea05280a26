package io.nundb.exporter.exposition;

import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.model.ViewAgreement;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds the exporter's metric families (names, types, units, labels, HELP) from one
 * {@link ClusterSnapshot} and one {@link ExporterSnapshot}, as client_java {@link MetricSnapshots}.
 *
 * <p>Rules: a node that is down contributes only {@code nundb_up 0}, its last success time, its
 * {@code nundb_node_role} series at 0 (so series keep their identity) and its cumulative counters and
 * request duration histogram; never a stale value presented as current. Poll error counters exist for
 * every reason from the first render. {@code nundb_node_role} is a gauge with a {@code role} label and
 * not a client_java {@code StateSetSnapshot}, because client_java writes a state set's state under a
 * label named after the metric ({@code nundb_node_role{nundb_node_role="primary"}}). The replication
 * families (pending-ops, canary, sentinel) are built by {@link ReplicationMetricFamilies} in the same
 * pass over the nodes, the exporter's own cluster-wide ones by {@link ExporterMetricFamilies}; the
 * package-private helpers below are shared with them.
 *
 * <p>Thread-safety: stateless; call from any thread. Allocates the whole result (called once per
 * render on the publisher thread, not per scrape).
 */
public final class ClusterMetricFamilies {
    static final String EMA_NOTE =
            " Nun-db's own exponential moving average over its last 100 samples, converted" + " from milliseconds.";

    private static final double[] NO_BOUNDS = new double[0];

    /** The quantile window of the exporter's own timing accumulators (not configurable from the CLI). */
    static final int TIMING_WINDOW_SECONDS = RequestTimingConfig.DEFAULT_WINDOW_SECONDS;

    /** The EMA period of the exporter's own timing accumulators (not configurable from the CLI). */
    static final int TIMING_EMA_PERIOD = RequestTimingConfig.DEFAULT_EMA_PERIOD;

    private ClusterMetricFamilies() {}

    /** All families for this snapshot, the exporter's own included, sorted by name by client_java. */
    public static MetricSnapshots build(ClusterSnapshot cluster, ExporterSnapshot exporter) {
        List<MetricSnapshot> out = new ArrayList<>(48);
        List<NodeSnapshot> nodes = cluster.nodes();

        GaugeSnapshot.Builder up =
                gauge("nundb_up", null, "Whether the last poll of the node succeeded (1) or not (0).");
        GaugeSnapshot.Builder lastSuccess = gauge(
                "nundb_node_last_success_timestamp_seconds",
                Unit.SECONDS,
                "Wall-clock time of the last fully successful poll of the node, absent if it never succeeded.");
        GaugeSnapshot.Builder pending = gauge(
                "nundb_oplog_pending_ops",
                null,
                "Operations in the node's oplog not yet acknowledged by every replica (metrics-state pending_ops).");
        GaugeSnapshot.Builder opLogSize =
                gauge("nundb_oplog_size_bytes", Unit.BYTES, "Size of the node's oplog file (metrics-state).");
        GaugeSnapshot.Builder opLogEntries = gauge(
                "nundb_oplog_entries", null, "Number of entries in the node's oplog (metrics-state op_log_count).");
        GaugeSnapshot.Builder replicationEma = gauge(
                "nundb_replication_time_ema_seconds",
                Unit.SECONDS,
                "Replication time as reported by metrics-state." + EMA_NOTE
                        + " Freezes on a node that became secondary after a failover.");
        GaugeSnapshot.Builder queryEma = gauge(
                "nundb_query_time_ema_seconds",
                Unit.SECONDS,
                "Query time as reported by metrics-state." + EMA_NOTE
                        + " Includes the exporter's own monitoring requests.");
        GaugeSnapshot.Builder role = gauge(
                "nundb_node_role",
                null,
                "State set of the node's role in its own view (1 for the current role, 0 otherwise; all 0 while"
                        + " down or before the node lists itself).");
        GaugeSnapshot.Builder claimsPrimary = gauge(
                "nundb_node_claims_primary",
                null,
                "1 when the node's own view says (self):Primary. sum > 1 is a split brain, == 0 no primary.");
        GaugeSnapshot.Builder viewMembers =
                gauge("nundb_node_view_members", null, "Number of members listed in the node's cluster-state view.");
        GaugeSnapshot.Builder viewPrimaries = gauge(
                "nundb_node_view_primaries", null, "Number of members the node's cluster-state view lists as Primary.");
        GaugeSnapshot.Builder startTime = gauge(
                "nundb_node_start_time_seconds",
                Unit.SECONDS,
                "Start time of the node's process since the epoch (debug process-info).");
        GaugeSnapshot.Builder databases =
                gauge("nundb_node_databases", null, "Number of databases on the node (debug list-dbs).");

        CounterSnapshot.Builder pollErrors = counter(
                "nundb_exporter_poll_errors_total",
                "Failed polls of the node by reason (a fixed set, never raw text).");
        CounterSnapshot.Builder requests =
                counter("nundb_exporter_requests_total", "Requests the exporter sent to the node, by command.");
        CounterSnapshot.Builder skipped = counter(
                "nundb_exporter_skipped_ticks_total",
                "Poll ticks skipped because the previous poll of the node was still in flight.");
        CounterSnapshot.Builder late =
                counter("nundb_exporter_late_replies_total", "Replies that arrived after their request timed out.");
        CounterSnapshot.Builder truncated = counter(
                "nundb_exporter_truncated_lines_total", "Reply lines from the node longer than the decoder's limit.");
        CounterSnapshot.Builder connects =
                counter("nundb_exporter_connects_total", "TCP connections established to the node for polling.");
        GaugeSnapshot.Builder cycle = gauge(
                "nundb_exporter_collection_duration_seconds",
                Unit.SECONDS,
                "Duration of the node's last complete poll cycle, from writing its first request to reading its"
                        + " last reply.");

        HistogramSnapshot.Builder duration = HistogramSnapshot.builder()
                .name("nundb_request_duration_seconds")
                .unit(Unit.SECONDS)
                .help("Time from writing a request to the node to reading its reply, by command.");
        SummarySnapshot.Builder window = SummarySnapshot.builder()
                .name("nundb_request_duration_window_seconds")
                .unit(Unit.SECONDS)
                .help("Request duration quantiles (0.5, 0.99) over the last " + TIMING_WINDOW_SECONDS + " s, by"
                        + " command; _count and _sum are cumulative since the exporter started, as the histogram's.");
        GaugeSnapshot.Builder windowMax = gauge(
                "nundb_request_duration_window_max_seconds",
                Unit.SECONDS,
                "Longest request duration over the last " + TIMING_WINDOW_SECONDS + " s, by command.");
        GaugeSnapshot.Builder timingEma = gauge(
                "nundb_request_duration_ema_seconds",
                Unit.SECONDS,
                "Exponential moving average of the request duration, " + TIMING_EMA_PERIOD + " samples, by command"
                        + " (operators asked for it; the histogram is the primary signal).");

        ReplicationMetricFamilies replication = new ReplicationMetricFamilies();

        for (NodeSnapshot node : nodes) {
            String name = node.name();
            Labels nodeLabels = Labels.of("node", name);
            add(up, nodeLabels, node.up() ? 1 : 0);
            if (node.lastSuccessEpochMillis() > 0) {
                add(lastSuccess, nodeLabels, Unit.millisToSeconds(node.lastSuccessEpochMillis()));
            }
            for (PollErrorReason reason : PollErrorReason.values()) {
                add(pollErrors, Labels.of("node", name, "reason", reason.label()), node.pollErrors(reason));
            }
            CanarySnapshot canary = node.canary();
            for (NunDbCommand command : NunDbCommand.values()) {
                long n = node.requests(command) + (canary == null ? 0 : canary.requests(command));
                if (n > 0 || isPollCommand(command)) {
                    add(requests, Labels.of("node", name, "command", command.label()), n);
                }
            }
            add(skipped, nodeLabels, node.skippedTicks());
            add(late, nodeLabels, node.lateReplies());
            add(truncated, nodeLabels, node.truncatedLines());
            add(connects, nodeLabels, node.connects());
            if (node.up()) {
                addIfFinite(cycle, nodeLabels, node.pollCycleSeconds());
            }

            Role current = null;
            ClusterView view = node.up() ? node.view() : null;
            if (view != null) {
                ViewMember self = view.self();
                current = self == null ? null : self.role();
            }
            for (Role r : Role.values()) {
                add(role, Labels.of("node", name, "role", r.label()), r == current ? 1 : 0);
            }

            for (Map.Entry<NunDbCommand, RequestTimingSnapshot> e :
                    node.timings().entrySet()) {
                Labels labels = Labels.of("command", e.getKey().label(), "node", name);
                RequestTimingSnapshot t = e.getValue();
                duration.dataPoint(histogram(labels, t));
                window.dataPoint(summary(labels, t, node.up()));
                if (node.up()) {
                    addIfFinite(windowMax, labels, t.windowMaxSeconds());
                    addIfFinite(timingEma, labels, t.emaSeconds());
                }
            }

            replication.addNode(node, nodeLabels);

            if (!node.up()) {
                continue;
            }
            MetricsState m = node.metrics();
            if (m != null) {
                add(pending, nodeLabels, m.pendingOps());
                add(opLogSize, nodeLabels, m.opLogFileSizeBytes());
                add(opLogEntries, nodeLabels, m.opLogCount());
                addIfFinite(replicationEma, nodeLabels, m.replicationTimeEmaMillis() / 1000.0);
                addIfFinite(queryEma, nodeLabels, m.queryTimeEmaMillis() / 1000.0);
            }
            if (view != null) {
                add(claimsPrimary, nodeLabels, view.claimsPrimary() ? 1 : 0);
                add(viewMembers, nodeLabels, view.members().size());
                add(viewPrimaries, nodeLabels, view.primaries());
            }
            if (node.processStartEpochMillis() >= 0) {
                add(startTime, nodeLabels, Unit.millisToSeconds(node.processStartEpochMillis()));
            }
            if (node.databases() >= 0) {
                add(databases, nodeLabels, node.databases());
            }
        }

        out.add(up.build());
        out.add(lastSuccess.build());
        out.add(pending.build());
        out.add(opLogSize.build());
        out.add(opLogEntries.build());
        out.add(replicationEma.build());
        out.add(queryEma.build());
        out.add(role.build());
        out.add(claimsPrimary.build());
        out.add(viewMembers.build());
        out.add(viewPrimaries.build());
        out.add(startTime.build());
        out.add(databases.build());
        out.add(pollErrors.build());
        out.add(requests.build());
        out.add(skipped.build());
        out.add(late.build());
        out.add(truncated.build());
        out.add(connects.build());
        out.add(cycle.build());
        out.add(duration.build());
        out.add(window.build());
        out.add(windowMax.build());
        out.add(timingEma.build());
        replication.addTo(out, cluster);
        addCluster(out, cluster);
        addViewAgreement(out, cluster);
        ExporterMetricFamilies.addTo(out, cluster, exporter);
        if (exporter.compatNode() != null) {
            addCompat(out, compatNode(cluster, exporter.compatNode()));
        }
        return new MetricSnapshots(out);
    }

    private static void addCluster(List<MetricSnapshot> out, ClusterSnapshot cluster) {
        GaugeSnapshot.Builder membersUp =
                gauge("nundb_cluster_members_up", null, "Number of known nodes whose last poll succeeded.");
        add(membersUp, Labels.EMPTY, cluster.membersUp());
        out.add(membersUp.build());
        GaugeSnapshot.Builder expected =
                gauge("nundb_cluster_expected_members", null, "Configured cluster size (--nundb.expected-members).");
        if (cluster.expectedMembers() > 0) {
            add(expected, Labels.EMPTY, cluster.expectedMembers());
        }
        out.add(expected.build());
    }

    /**
     * Whether the up nodes' views agree ({@link ViewAgreement}, the definition the canary's
     * {@code views_disagree} skip uses too): emitted while at least one node is up; the per-node count
     * only while exactly one up node claims primary.
     */
    private static void addViewAgreement(List<MetricSnapshot> out, ClusterSnapshot cluster) {
        GaugeSnapshot.Builder agree = gauge(
                "nundb_cluster_views_agree",
                null,
                "Whether every up node's cluster-state view lists the same members and the same primary (1) or"
                        + " not (0).");
        GaugeSnapshot.Builder notInPrimary = gauge(
                "nundb_node_view_members_not_in_primary",
                null,
                "Number of members the node's cluster-state view lists that the primary's view does not.");
        if (cluster.membersUp() > 0) {
            ViewAgreement views = ViewAgreement.of(cluster);
            add(agree, Labels.EMPTY, views.agree() ? 1 : 0);
            Map<String, Integer> extra = views.membersNotInPrimary();
            for (NodeSnapshot node : cluster.nodes()) {
                Integer n = extra.get(node.name());
                if (n != null) {
                    add(notInPrimary, Labels.of("node", node.name()), n);
                }
            }
        }
        out.add(agree.build());
        out.add(notInPrimary.build());
    }

    /** The node whose name or dial address is {@code id} (NUN_URL names an address, views name nodes). */
    private static NodeSnapshot compatNode(ClusterSnapshot cluster, String id) {
        NodeSnapshot byName = cluster.node(id);
        if (byName != null) {
            return byName;
        }
        for (NodeSnapshot n : cluster.nodes()) {
            if (id.equals(n.dialAddress())) {
                return n;
            }
        }
        return null;
    }

    /** The original exporter's five gauges, in milliseconds, with the single label databases="all". */
    private static void addCompat(List<MetricSnapshot> out, NodeSnapshot node) {
        MetricsState m = node != null && node.up() ? node.metrics() : null;
        Labels all = Labels.of("databases", "all");
        String note = " Legacy name kept for existing dashboards (--compat.legacy-metrics).";
        GaugeSnapshot.Builder pending = gauge("nun_db_op_log_pending_ops", null, "Pending oplog operations." + note);
        GaugeSnapshot.Builder size = gauge("nun_db_op_log_file_size", null, "Oplog file size in bytes." + note);
        GaugeSnapshot.Builder ops = gauge("nun_db_op_log_ops", null, "Oplog entries." + note);
        GaugeSnapshot.Builder repl = gauge(
                "nun_db_replication_time_moving_avg", null, "Replication time moving average in milliseconds." + note);
        GaugeSnapshot.Builder query =
                gauge("nun_db_query_time_moving_avg", null, "Query time moving average in milliseconds." + note);
        if (m != null) {
            add(pending, all, m.pendingOps());
            add(size, all, m.opLogFileSizeBytes());
            add(ops, all, m.opLogCount());
            add(repl, all, m.replicationTimeEmaMillis());
            add(query, all, m.queryTimeEmaMillis());
        }
        out.add(pending.build());
        out.add(size.build());
        out.add(ops.build());
        out.add(repl.build());
        out.add(query.build());
    }

    /** Commands every poll sends; their counters exist from the first render, the canary's once used. */
    private static boolean isPollCommand(NunDbCommand command) {
        switch (command) {
            case AUTH:
            case METRICS_STATE:
            case CLUSTER_STATE:
            case DEBUG_PENDING_OPS:
            case DEBUG_PROCESS_INFO:
            case DEBUG_LIST_DBS:
                return true;
            default:
                return false;
        }
    }

    private static ClassicHistogramBuckets buckets(RequestTimingSnapshot t) {
        double[] finite = t.bucketUpperBoundsSeconds() == null ? NO_BOUNDS : t.bucketUpperBoundsSeconds();
        double[] bounds = Arrays.copyOf(finite, finite.length + 1);
        bounds[finite.length] = Double.POSITIVE_INFINITY;
        long[] counts = Arrays.copyOf(t.bucketCounts(), bounds.length);
        return ClassicHistogramBuckets.of(bounds, counts);
    }

    /**
     * The classic buckets and, when the accumulators keep one, the native histogram of the same samples in
     * one data point: the text formats write the classic part, protobuf both (a Prometheus with native
     * histograms on ingests the native part, and the classic one with {@code scrape_classic_histograms}).
     */
    static HistogramDataPointSnapshot histogram(Labels labels, RequestTimingSnapshot t) {
        HistogramDataPointSnapshot.Builder b = HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(buckets(t))
                .sum(t.sumSeconds());
        RequestTimingSnapshot.NativeBuckets n = t.nativeBuckets();
        if (n != null) {
            b.nativeSchema(n.schema())
                    .nativeZeroThreshold(n.zeroThresholdSeconds())
                    .nativeZeroCount(n.zeroCount())
                    .nativeBucketsForPositiveValues(NativeHistogramBuckets.of(n.indexes(), n.counts()))
                    .nativeBucketsForNegativeValues(NativeHistogramBuckets.EMPTY);
        }
        return b.build();
    }

    /** Window quantiles (while the node is up and the window holds samples) with the cumulative count and sum. */
    private static SummaryDataPointSnapshot summary(Labels labels, RequestTimingSnapshot t, boolean up) {
        Quantiles.Builder q = Quantiles.builder();
        if (up && Double.isFinite(t.windowP50Seconds())) {
            q.quantile(new Quantile(0.5, t.windowP50Seconds()));
        }
        if (up && Double.isFinite(t.windowP99Seconds())) {
            q.quantile(new Quantile(0.99, t.windowP99Seconds()));
        }
        return SummaryDataPointSnapshot.builder()
                .labels(labels)
                .quantiles(q.build())
                .count(t.count())
                .sum(t.sumSeconds())
                .build();
    }

    static GaugeSnapshot.Builder gauge(String name, Unit unit, String help) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        return unit == null ? b : b.unit(unit);
    }

    static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    static void add(GaugeSnapshot.Builder b, Labels labels, double value) {
        b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
    }

    static void addIfFinite(GaugeSnapshot.Builder b, Labels labels, double value) {
        if (Double.isFinite(value)) {
            add(b, labels, value);
        }
    }

    static void add(CounterSnapshot.Builder b, Labels labels, double value) {
        b.dataPoint(
                CounterDataPointSnapshot.builder().labels(labels).value(value).build());
    }
}
