package io.nundb.exporter.protocol;

import java.util.Objects;

/**
 * One entry of a {@code cluster-state} view: {@code <name>(<status>):<role>}.
 *
 * <p>Thread-safety: immutable.
 */
public record ViewMember(String name, MemberStatus status, Role role) {
    public ViewMember {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(role, "role");
    }
}
