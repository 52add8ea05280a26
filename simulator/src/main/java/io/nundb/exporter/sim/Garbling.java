package io.nundb.exporter.sim;

/**
 * How a simulated node corrupts its replies on command (spec §7 "Garbled replies").
 *
 * <p>Thread-safety: immutable enum.
 */
public enum Garbling {
    /** Faithful replies. */
    NONE,
    /** The {@code metrics-state} payload carries a non-numeric {@code pending_ops} value. */
    CORRUPT_METRICS_STATE,
    /** Every reply starts with the stray line {@code "garbled \n"}, which belongs to no request. */
    STRAY_LINE
}
