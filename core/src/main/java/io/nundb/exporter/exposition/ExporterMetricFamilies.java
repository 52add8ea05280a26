package io.nundb.exporter.exposition;

import static io.nundb.exporter.exposition.ClusterMetricFamilies.add;
import static io.nundb.exporter.exposition.ClusterMetricFamilies.counter;
import static io.nundb.exporter.exposition.ClusterMetricFamilies.gauge;

import io.nundb.exporter.model.ClusterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;

/**
 * The exporter's own cluster-wide families, for {@link ClusterMetricFamilies#build}: build info, the time
 * of the snapshot served, nodes forgotten and members refused, renders of the cached body and Netty's
 * direct memory. The per-node ones ({@code nundb_exporter_poll_errors_total}, requests, connects...) are
 * built with the node's other families.
 *
 * <p>Thread-safety: stateless; call from any thread. Allocates the families it builds.
 */
final class ExporterMetricFamilies {
    private ExporterMetricFamilies() {}

    static void addTo(List<MetricSnapshot> out, ClusterSnapshot cluster, ExporterSnapshot exporter) {
        GaugeSnapshot.Builder info = gauge(
                "nundb_exporter_build_info",
                null,
                "Always 1; the labels say which exporter version runs and whether it watches the demo cluster.");
        add(
                info,
                Labels.of(
                        "mode",
                        exporter.demo() ? "demo" : "live",
                        "revision",
                        exporter.revision(),
                        "version",
                        exporter.version()),
                1);
        out.add(info.build());

        GaugeSnapshot.Builder last = gauge(
                "nundb_exporter_last_collection_timestamp_seconds",
                Unit.SECONDS,
                "Wall-clock time the exporter assembled the cluster snapshot being served.");
        if (cluster.takenAtEpochMillis() > 0) {
            add(last, Labels.EMPTY, Unit.millisToSeconds(cluster.takenAtEpochMillis()));
        }
        out.add(last.build());
        CounterSnapshot.Builder forgotten = counter(
                "nundb_exporter_nodes_forgotten_total",
                "Nodes dropped after being absent from every view for the retention period.");
        add(forgotten, Labels.EMPTY, cluster.forgottenNodes());
        out.add(forgotten.build());
        CounterSnapshot.Builder refused = counter(
                "nundb_exporter_members_refused_total",
                "Members listed by a node's view and not polled because --nundb.max-members nodes were already"
                        + " known (counted once per view that lists them).");
        add(refused, Labels.EMPTY, cluster.refusedMembers());
        out.add(refused.build());

        CounterSnapshot.Builder renders = counter(
                "nundb_exporter_renders_total",
                "Renders of the cached /metrics body by format and encoding (scrapes between renders share one).");
        for (ExpositionFormat format : ExpositionFormat.values()) {
            add(renders, Labels.of("encoding", "identity", "format", format.label()), exporter.renders(format, false));
            add(renders, Labels.of("encoding", "gzip", "format", format.label()), exporter.renders(format, true));
        }
        out.add(renders.build());

        GaugeSnapshot.Builder direct = gauge(
                "nundb_exporter_netty_direct_memory_bytes",
                Unit.BYTES,
                "Direct memory used by Netty's allocators (connections to Nun-db and HTTP buffers).");
        if (exporter.nettyDirectMemoryBytes() >= 0) {
            add(direct, Labels.EMPTY, exporter.nettyDirectMemoryBytes());
        }
        out.add(direct.build());
    }
}
