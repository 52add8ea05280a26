package io.nundb.exporter.model;

/**
 * The outcome of one read of the replication sentinel on one member, the values of the {@code result}
 * label of {@code nundb_replication_sentinel_checks_total}.
 *
 * <p>Thread-safety: immutable.
 */
public enum SentinelResult {
    /** The member holds the sentinel the primary holds. */
    PRESENT("present"),
    /**
     * The member answered that the key is absent ({@code value <Empty>}), or its canary database itself is
     * missing: it serves reads that lack data written before it rejoined (spec Appendix C).
     */
    MISSING("missing"),
    /** The member holds another sentinel than the primary. */
    DIFFERENT("different"),
    /** No answer: not connected, an error reply, or no reply within the request timeout. */
    ERROR("error");

    private final String label;

    SentinelResult(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the result says something about the member's data (every result but {@link #ERROR}). */
    public boolean decisive() {
        return this != ERROR;
    }
}
