package io.nundb.exporter.model;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the up nodes' {@code cluster-state} views agree: the one definition behind
 * {@code nundb_cluster_views_agree}, {@code nundb_node_view_members_not_in_primary} and the canary's
 * {@code views_disagree} skip. Two views agree when they list the same member names (whatever the
 * status) and the same primary names. Only nodes that are up and have a view take part; a node's
 * empty view (its first second, spec §3.2) lists no member and no primary, so it disagrees with any
 * other node's. Views can disagree on membership for minutes, not only during a failover: a survivor
 * listed a dead secondary as {@code (Connected)} for about 82 s while the primary had dropped it
 * (docs/nundb-protocol.md §6).
 *
 * <p>The <em>reference</em> view is the view of the single up node whose own entry says
 * {@code (self):Primary}; with no such node or more than one (an election, a split brain) there is
 * no reference, and only {@link #agree()} still says something.
 *
 * <p>Thread-safety: immutable. Allocates once per call of {@link #of}; called once per publication and
 * once per canary interval, never on the scrape path.
 */
public final class ViewAgreement {
    private static final ViewAgreement NONE = new ViewAgreement(true, null, Set.of(), Map.of());

    private final boolean agree;
    private final String primary;
    private final Set<String> disagreeing;
    private final Map<String, Integer> membersNotInPrimary;

    private ViewAgreement(
            boolean agree, String primary, Set<String> disagreeing, Map<String, Integer> membersNotInPrimary) {
        this.agree = agree;
        this.primary = primary;
        this.disagreeing = disagreeing;
        this.membersNotInPrimary = membersNotInPrimary;
    }

    /** The agreement of the up nodes with a view in {@code snapshot}. */
    public static ViewAgreement of(ClusterSnapshot snapshot) {
        return of(snapshot.nodes());
    }

    /** The agreement of the up nodes with a view among {@code nodes} (each node named once). */
    public static ViewAgreement of(Collection<NodeSnapshot> nodes) {
        Set<String> firstMembers = null;
        Set<String> firstPrimaries = null;
        boolean agree = true;
        NodeSnapshot claimant = null;
        int claims = 0;
        for (NodeSnapshot s : nodes) {
            ClusterView v = s.view();
            if (!s.up() || v == null) {
                continue;
            }
            if (v.claimsPrimary()) {
                claims++;
                claimant = s;
            }
            if (firstMembers == null) {
                firstMembers = names(v);
                firstPrimaries = primaryNames(v);
            } else if (agree && !(firstMembers.equals(names(v)) && firstPrimaries.equals(primaryNames(v)))) {
                agree = false;
            }
        }
        if (firstMembers == null) {
            return NONE;
        }
        if (claims != 1) {
            return new ViewAgreement(agree, null, Set.of(), Map.of());
        }
        ClusterView reference = claimant.view();
        Set<String> referenceMembers = names(reference);
        Set<String> referencePrimaries = primaryNames(reference);
        Set<String> disagreeing = new HashSet<>();
        Map<String, Integer> notInPrimary = new LinkedHashMap<>();
        for (NodeSnapshot s : nodes) {
            ClusterView v = s.view();
            if (!s.up() || v == null) {
                continue;
            }
            int extra = 0;
            for (ViewMember m : v.members()) {
                if (!referenceMembers.contains(m.name())) {
                    extra++;
                }
            }
            notInPrimary.put(s.name(), extra);
            if (!(referenceMembers.equals(names(v)) && referencePrimaries.equals(primaryNames(v)))) {
                disagreeing.add(s.name());
            }
        }
        return new ViewAgreement(agree, claimant.name(), Set.copyOf(disagreeing), Map.copyOf(notInPrimary));
    }

    /** Whether every up node's view lists the same member names and the same primary names (true with none). */
    public boolean agree() {
        return agree;
    }

    /**
     * Whether {@code node}'s view matches the reference (the primary's) view; true when there is no
     * reference, and for a node that is down, has no view or is unknown.
     */
    public boolean agrees(String node) {
        return !disagreeing.contains(node);
    }

    /**
     * Per up node with a view, the number of members its view lists that the primary's view does not
     * (0 for the primary itself); empty when there is not exactly one primary claimed among up nodes.
     */
    public Map<String, Integer> membersNotInPrimary() {
        return membersNotInPrimary;
    }

    /** The single node claiming {@code (self):Primary} among the up nodes, if exactly one does. */
    public Optional<String> primary() {
        return Optional.ofNullable(primary);
    }

    @Override
    public String toString() {
        return "ViewAgreement(agree=" + agree + ", primary=" + primary + ", disagreeing=" + disagreeing + ")";
    }

    private static Set<String> names(ClusterView v) {
        Set<String> names = new HashSet<>();
        for (ViewMember m : v.members()) {
            names.add(m.name());
        }
        return names;
    }

    private static Set<String> primaryNames(ClusterView v) {
        Set<String> names = new HashSet<>(2);
        for (ViewMember m : v.members()) {
            if (m.role() == Role.PRIMARY) {
                names.add(m.name());
            }
        }
        return names;
    }
}
