package io.nundb.exporter.cli;

import io.nundb.exporter.model.ClusterSnapshotSource;

/**
 * A started collection (the live collector, or the demo cluster with its collector): the snapshot
 * source of the HTTP endpoint, closed at shutdown after the HTTP server.
 *
 * <p>Thread-safety: {@link #source()} is safe from any thread; {@link #close()} is called once by the
 * shutdown hook.
 */
public interface RunningCollection extends AutoCloseable {
    /** The collector itself: what the HTTP endpoint exposes. */
    ClusterSnapshotSource source();

    /** Closes node connections (and stops the demo cluster); must not throw. */
    @Override
    void close();
}
