package io.nundb.exporter.http;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.List;

/** A snapshot source returning whatever the test set; stands in for the collector. */
final class FakeSnapshotSource implements ClusterSnapshotSource {
    volatile ClusterSnapshot snapshot = ClusterSnapshot.EMPTY;
    volatile boolean firstCollectionComplete = true;
    volatile boolean collectorFailed;

    @Override
    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public boolean firstCollectionComplete() {
        return firstCollectionComplete;
    }

    @Override
    public boolean collectorFailed() {
        return collectorFailed;
    }

    static NodeSnapshot up(String name, Role role) {
        return NodeSnapshot.builder(name)
                .up(true)
                .lastSuccessEpochMillis(1_700_000_000_000L)
                .metrics(new MetricsState(3, 2048, 10, 12.5, 0.25))
                .view(new ClusterView(List.of(new ViewMember(name, MemberStatus.SELF, role))))
                .processStartEpochMillis(1_600_000_000_000L)
                .databases(2)
                .build();
    }

    static NodeSnapshot down(String name) {
        return NodeSnapshot.builder(name)
                .up(false)
                .downReason(PollErrorReason.REFUSED)
                .pollErrors(PollErrorReason.REFUSED, 5)
                .lastSuccessEpochMillis(1_700_000_000_000L)
                .metrics(new MetricsState(9, 9, 9, 9, 9))
                .build();
    }

    static ClusterSnapshot cluster(NodeSnapshot... nodes) {
        return new ClusterSnapshot(1_700_000_001_000L, List.of(nodes), 3, 0);
    }
}
