package io.nundb.exporter.sim;

/**
 * What a restarted node finds in its data directory and gets from the primary when it rejoins
 * ({@code docs/nundb-protocol.md} §5.7, Appendices B and C).
 *
 * <p>Thread-safety: immutable.
 */
public enum RestartData {
    /**
     * A clean data directory and a full sync from the primary ({@code create-db}, then one
     * {@code replicate} per key, with the known resync bug of §5.7): seen on the real server in
     * Appendix B.
     */
    RESYNCED,
    /**
     * The old data directory: every key is kept, but the op log is found invalid and deleted, so
     * {@code op_log_count} restarts from 0 (Appendix C: 40 against 146). Not data loss. Guess: writes
     * made while the node was down are not replayed to it.
     */
    KEPT,
    /**
     * A clean data directory and no resync (Appendix C): the node rejoins as a secondary and acks new
     * writes, but holds none of the keys written before. Guess: the databases come back empty (the real
     * node saw new canary writes at once, so the canary's database existed on it).
     */
    WIPED,
    /**
     * Guess of the worst case: a clean data directory, no resync, and not even the databases, so
     * {@code use-db} answers {@code error Not a valid database name} and replicated writes are acked but
     * not applied (§5.4: the ack is sent even when the command fails).
     */
    WIPED_WITHOUT_DATABASES
}
