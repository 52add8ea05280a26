package io.nundb.exporter.protocol;

/**
 * The parenthesised status of an entry in a {@code cluster-state} view (spec §3.2).
 *
 * <p>Thread-safety: immutable.
 */
public enum MemberStatus {
    SELF,
    CONNECTED,
    DISCONNECTED
}
