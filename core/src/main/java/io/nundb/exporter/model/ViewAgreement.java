package io.nundb.exporter.model;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the up nodes' {@code cluster-state} views agree: two views agree when they list the same
 * member names (whatever the status) and the same primary names. Only nodes that are up and have a view
 * take part. The reference view is the one of the single up node that claims {@code (self):Primary};
 * with none or several there is no reference.
 *
 * <p>Thread-safety: immutable. Allocates once per call of {@link #of}.
 */
public final class ViewAgreement {
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
        Set<String> firstMembers = null;
        Set<String> firstPrimaries = null;
        boolean agree = true;
        NodeSnapshot claimant = null;
        int claims = 0;
        for (NodeSnapshot s : snapshot.nodes()) {
            ClusterView v = s.up() ? s.view() : null;
            if (v == null) {
                continue;
            }
            if (v.claimsPrimary()) {
                claims++;
                claimant = s;
            }
            if (firstMembers == null) {
                firstMembers = names(v);
                firstPrimaries = primaries(v);
            } else if (!firstMembers.equals(names(v)) || !firstPrimaries.equals(primaries(v))) {
                agree = false;
            }
        }
        if (claims != 1) {
            return new ViewAgreement(agree, null, Set.of(), Map.of());
        }
        Set<String> refMembers = names(claimant.view());
        Set<String> refPrimaries = primaries(claimant.view());
        Set<String> disagreeing = new HashSet<>();
        Map<String, Integer> notInPrimary = new HashMap<>();
        for (NodeSnapshot s : snapshot.nodes()) {
            ClusterView v = s.up() ? s.view() : null;
            if (v == null) {
                continue;
            }
            int extra = 0;
            for (ViewMember m : v.members()) {
                if (!refMembers.contains(m.name())) {
                    extra++;
                }
            }
            notInPrimary.put(s.name(), extra);
            if (!refMembers.equals(names(v)) || !refPrimaries.equals(primaries(v))) {
                disagreeing.add(s.name());
            }
        }
        return new ViewAgreement(agree, claimant.name(), Set.copyOf(disagreeing), Map.copyOf(notInPrimary));
    }

    /** Whether every up node's view lists the same member names and the same primary (true with none). */
    public boolean agree() {
        return agree;
    }

    /** Whether this up node's view matches the primary's; true when there is no reference or no such view. */
    public boolean agrees(String node) {
        return !disagreeing.contains(node);
    }

    /** Per up node with a view, the members it lists that the primary's view does not; empty without one primary. */
    public Map<String, Integer> membersNotInPrimary() {
        return membersNotInPrimary;
    }

    /** The single primary claimed among the up nodes, if exactly one claims it. */
    public Optional<String> primary() {
        return Optional.ofNullable(primary);
    }

    private static Set<String> names(ClusterView v) {
        Set<String> names = new HashSet<>();
        for (ViewMember m : v.members()) {
            names.add(m.name());
        }
        return names;
    }

    private static Set<String> primaries(ClusterView v) {
        Set<String> names = new HashSet<>();
        for (ViewMember m : v.members()) {
            if (m.role() == Role.PRIMARY) {
                names.add(m.name());
            }
        }
        return names;
    }
}
