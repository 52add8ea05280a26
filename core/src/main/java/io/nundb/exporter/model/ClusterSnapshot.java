package io.nundb.exporter.model;

import java.util.List;

/**
 * Everything the exporter knows about the cluster at one instant: one {@link NodeSnapshot} per known
 * node (sorted by name), published by the single publisher and read by the renderer without locks.
 *
 * <p>Thread-safety: immutable.
 *
 * @param takenAtEpochMillis wall-clock time the publisher assembled this snapshot
 * @param nodes every known node, sorted by name
 * @param expectedMembers the configured cluster size, or 0 when not configured
 * @param forgottenNodes cumulative count of nodes forgotten after the retention period
 * @param canary the cluster-level canary counters, {@code null} when the canary is off
 * @param refusedMembers cumulative count of members listed by a view and not added because the collector
 *     already kept its maximum of nodes
 */
public record ClusterSnapshot(
        long takenAtEpochMillis,
        List<NodeSnapshot> nodes,
        int expectedMembers,
        long forgottenNodes,
        CanaryTotals canary,
        long refusedMembers) {
    public ClusterSnapshot {
        nodes = List.copyOf(nodes);
    }

    /** A snapshot with no refused members. */
    public ClusterSnapshot(
            long takenAtEpochMillis,
            List<NodeSnapshot> nodes,
            int expectedMembers,
            long forgottenNodes,
            CanaryTotals canary) {
        this(takenAtEpochMillis, nodes, expectedMembers, forgottenNodes, canary, 0);
    }

    /** A snapshot without canary counters (the canary is off). */
    public ClusterSnapshot(
            long takenAtEpochMillis, List<NodeSnapshot> nodes, int expectedMembers, long forgottenNodes) {
        this(takenAtEpochMillis, nodes, expectedMembers, forgottenNodes, null);
    }

    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(0, List.of(), 0, 0);

    /** Number of nodes currently up. */
    public int membersUp() {
        int n = 0;
        for (NodeSnapshot s : nodes) {
            if (s.up()) {
                n++;
            }
        }
        return n;
    }

    /** The node with this name, or {@code null}. */
    public NodeSnapshot node(String name) {
        for (NodeSnapshot s : nodes) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
