package io.nundb.exporter.model;

/**
 * Why a canary write was not made (or was discarded after a failover), the values of the {@code reason}
 * label of {@code nundb_replication_canary_skipped_total}.
 *
 * <p>Thread-safety: immutable.
 */
public enum CanarySkipReason {
    /** No up node claims primary (an election, or every node down); also a write discarded by a failover. */
    NO_PRIMARY("no_primary"),
    /** More than one up node claims primary. */
    SPLIT_BRAIN("split_brain"),
    /** Exactly one node claims primary, but the up nodes' views differ in members or primary ({@link ViewAgreement}). */
    VIEWS_DISAGREE("views_disagree"),
    /** The primary's view lists only itself: the canary database is never created on a standalone node. */
    STANDALONE("standalone"),
    /** The primary answered {@code Invalid token} for the canary database; the canary stopped. */
    CANARY_TOKEN("canary_token"),
    /** The exporter's canary connection to the primary is not authenticated yet, or the write failed. */
    NOT_CONNECTED("not_connected");

    private final String label;

    CanarySkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
