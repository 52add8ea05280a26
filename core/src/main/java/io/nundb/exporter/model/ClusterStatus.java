package io.nundb.exporter.model;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster as an on-call engineer reads it, one row per node: role, up or down with the reason, last
 * success, replication lag, the primary's pending entries for the node and whether the node's view
 * agrees with the primary's ({@link ViewAgreement}). Shared by the status page and the {@code status}
 * command, so that both say the same thing.
 *
 * <p>Thread-safety: immutable. Allocates per call of {@link #of} (pages and the command, never scrapes).
 *
 * @param takenAtEpochMillis when the snapshot behind it was taken
 * @param nodes one row per known node, sorted by name
 * @param viewsAgree whether every up node's view agrees ({@link ViewAgreement#agree()})
 * @param primary the single primary claimed among the up nodes, {@code null} with none or several
 * @param expectedMembers the configured cluster size, 0 when not configured
 */
public record ClusterStatus(
        long takenAtEpochMillis, List<Node> nodes, boolean viewsAgree, String primary, int expectedMembers) {
    public ClusterStatus {
        nodes = List.copyOf(nodes);
    }

    /**
     * One node's row.
     *
     * @param name the node's name
     * @param role its own role while up, {@code null} when down or not yet known
     * @param up whether its last poll succeeded
     * @param downReason why it is down, {@code null} while up
     * @param lastSuccessEpochMillis the last fully successful poll, 0 if never
     * @param lagSeconds its current replication lag measured by the canary, NaN when unknown (canary off)
     * @param waiting entries on the primary waiting for this node's ack; -1 when unknown: no single primary,
     *     not fetched yet, the node is the primary, or the primary neither lists it nor holds entries for it
     * @param orphaned entries on the primary that this node can never ack, -1 like {@code waiting}
     * @param hasView whether it is up with a view, so that {@code viewAgrees} means something
     * @param viewAgrees whether its view lists the primary's members and primary ({@link ViewAgreement#agrees})
     */
    public record Node(
            String name,
            Role role,
            boolean up,
            PollErrorReason downReason,
            long lastSuccessEpochMillis,
            double lagSeconds,
            long waiting,
            long orphaned,
            boolean hasView,
            boolean viewAgrees) {
        /** The role's label, or {@code -} when unknown. */
        public String roleLabel() {
            return role == null ? "-" : role.label();
        }

        /** {@code up}, or {@code down} with the reason's label. */
        public String state() {
            return up ? "up" : "down";
        }

        /** The down reason's label, or {@code -} while up (or when no reason is known). */
        public String reason() {
            return downReason == null ? "-" : downReason.label();
        }
    }

    /** The rows of {@code snapshot}. */
    public static ClusterStatus of(ClusterSnapshot snapshot) {
        ViewAgreement agreement = ViewAgreement.of(snapshot);
        String primary = agreement.primary().orElse(null);
        NodeSnapshot primaryNode = primary == null ? null : snapshot.node(primary);
        PendingOpsSnapshot pending = primaryNode == null ? null : primaryNode.pendingOps();
        List<Node> rows = new ArrayList<>(snapshot.nodes().size());
        for (NodeSnapshot s : snapshot.nodes()) {
            ClusterView view = s.up() ? s.view() : null;
            ViewMember self = view == null ? null : view.self();
            CanarySnapshot canary = s.canary();
            long waiting = -1;
            long orphaned = -1;
            PendingOpsSnapshot.Member member = pending == null || s.name().equals(primary)
                    ? null
                    : pending.members().get(s.name());
            if (member != null) {
                waiting = member.waiting();
                orphaned = member.orphaned();
            } else if (pending != null
                    && !s.name().equals(primary)
                    && primaryNode.view().contains(s.name())) {
                waiting = 0; // the reply lists only members with entries
                orphaned = 0;
            }
            rows.add(new Node(
                    s.name(),
                    self == null ? null : self.role(),
                    s.up(),
                    s.downReason(),
                    s.lastSuccessEpochMillis(),
                    s.up() && canary != null ? canary.currentLagSeconds() : Double.NaN,
                    waiting,
                    orphaned,
                    view != null,
                    view != null && agreement.agrees(s.name())));
        }
        return new ClusterStatus(
                snapshot.takenAtEpochMillis(), rows, agreement.agree(), primary, snapshot.expectedMembers());
    }

    /** Nodes that are down. */
    public int down() {
        int n = 0;
        for (Node node : nodes) {
            if (!node.up()) {
                n++;
            }
        }
        return n;
    }

    /**
     * At least one node (and at least the expected members), every node up and every view agreeing: what
     * the {@code status} command exits 0 on. A node that died before the first poll is known only as a seed
     * or through {@code expectedMembers}: views drop a dead member within 60 ms (spec Appendix B).
     */
    public boolean healthy() {
        return !nodes.isEmpty() && down() == 0 && nodes.size() >= expectedMembers && viewsAgree;
    }
}
