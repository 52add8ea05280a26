package io.nundb.exporter.model;

/**
 * Why a canary push was ignored, the values of the {@code reason} label of
 * {@code nundb_replication_canary_ignored_total}.
 *
 * <p>Thread-safety: immutable.
 */
public enum CanaryIgnoreReason {
    /** A well-formed canary value written by another exporter instance (an HA pair, a rolling update). */
    FOREIGN("foreign"),
    /** A value that is not {@code <instance>.<seq>.<nanos>}: the real server can mangle values during a
     * catch-up (spec §5.7). */
    UNPARSABLE("unparsable");

    private final String label;

    CanaryIgnoreReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
