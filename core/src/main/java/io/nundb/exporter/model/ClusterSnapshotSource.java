package io.nundb.exporter.model;

/**
 * Where the HTTP endpoint gets what it exposes: the cluster collector implements it (live and demo
 * mode alike); benchmarks and tests pass fixed snapshots.
 *
 * <p>Thread-safety: implementations must be safe to call from any thread; {@link #snapshot()} is called
 * on the publisher thread (once per render, and for the landing page, discovery and probe bodies), so it
 * must not block (return the last published immutable snapshot).
 */
public interface ClusterSnapshotSource {
    /** The latest published snapshot, never {@code null} ({@link ClusterSnapshot#EMPTY} before the first). */
    ClusterSnapshot snapshot();

    /** Whether the first collection attempt of every seed has completed, with success or failure. */
    boolean firstCollectionComplete();

    /**
     * Whether a collector task failed and no longer runs (the collector logged it); {@code /-/healthy}
     * then answers 503 so that the orchestrator restarts the process.
     */
    default boolean collectorFailed() {
        return false;
    }
}
