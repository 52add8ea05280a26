package io.nundb.exporter.cli;

import io.nundb.exporter.http.ClusterSnapshotSource;

/**
 * A started collection (the live collector or the demo cluster with its collector): the snapshot source
 * of the HTTP endpoint, closed at shutdown after the HTTP server.
 *
 * <p>Thread-safety: as {@link ClusterSnapshotSource}; {@link #close()} is called once by the shutdown
 * hook.
 */
public interface RunningCollection extends ClusterSnapshotSource, AutoCloseable {
    /** Closes node connections (and stops the demo cluster); must not throw. */
    @Override
    void close();
}
