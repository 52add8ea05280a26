package io.nundb.exporter.protocol;

import java.util.List;

/**
 * One node's {@code cluster-state} view. An empty view is normal during a node's first second
 * (spec §3.2).
 *
 * <p>Thread-safety: immutable.
 */
public record ClusterView(List<ViewMember> members) {
    public static final ClusterView EMPTY = new ClusterView(List.of());

    public ClusterView {
        members = List.copyOf(members);
    }

    /** The {@code (self)} entry, or {@code null} when the view lists none (first second after start). */
    public ViewMember self() {
        for (ViewMember m : members) {
            if (m.status() == MemberStatus.SELF) {
                return m;
            }
        }
        return null;
    }

    /** Whether the node's own entry says {@code (self):Primary}. */
    public boolean claimsPrimary() {
        ViewMember self = self();
        return self != null && self.role() == Role.PRIMARY;
    }

    /** Number of entries whose role is {@code Primary}. */
    public int primaries() {
        int n = 0;
        for (ViewMember m : members) {
            if (m.role() == Role.PRIMARY) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code name} is listed (with any status). */
    public boolean contains(String name) {
        for (ViewMember m : members) {
            if (m.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
