package io.nundb.exporter.protocol;

/**
 * A node's role as listed in a {@code cluster-state} view. The wire spells them {@code Primary},
 * {@code Secoundary} (sic) and {@code StartingUp} (spec §3.2).
 *
 * <p>Thread-safety: immutable.
 */
public enum Role {
    PRIMARY("primary"),
    SECONDARY("secondary"),
    STARTING("starting");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** The value of the {@code role} label in {@code nundb_node_role}. */
    public String label() {
        return label;
    }
}
