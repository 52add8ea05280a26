package io.nundb.exporter.bench;

import io.nundb.exporter.exposition.SyntheticClusterSnapshots;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;

/**
 * A {@link ClusterSnapshotSource} that always returns one fixed synthetic snapshot of {@code nodes}
 * nodes ({@link SyntheticClusterSnapshots#cluster}); its first collection is complete from the start.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 */
public final class SyntheticSnapshotSource implements ClusterSnapshotSource {
    private final ClusterSnapshot cluster;

    public SyntheticSnapshotSource(int nodes) {
        this.cluster = SyntheticClusterSnapshots.cluster(nodes);
    }

    @Override
    public ClusterSnapshot snapshot() {
        return cluster;
    }

    @Override
    public boolean firstCollectionComplete() {
        return true;
    }
}
