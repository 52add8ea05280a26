package io.nundb.exporter.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterStatusTest {
    /** A view of {@code self} with {@code role}; other members prefixed with {@code !} are primaries. */
    static ClusterView view(String self, Role role, String... others) {
        List<ViewMember> members = new ArrayList<>();
        members.add(new ViewMember(self, MemberStatus.SELF, role));
        for (String o : others) {
            boolean primary = o.startsWith("!");
            members.add(new ViewMember(
                    primary ? o.substring(1) : o, MemberStatus.CONNECTED, primary ? Role.PRIMARY : Role.SECONDARY));
        }
        return new ClusterView(members);
    }

    static NodeSnapshot up(String name, ClusterView view) {
        return NodeSnapshot.builder(name)
                .up(true)
                .lastSuccessEpochMillis(5)
                .view(view)
                .build();
    }

    static ClusterSnapshot cluster(int expected, NodeSnapshot... nodes) {
        return new ClusterSnapshot(10, List.of(nodes), expected, 0);
    }

    @Test
    void readsEachMembersPendingEntriesOffThePrimary() {
        NodeSnapshot primary = up("a", view("a", Role.PRIMARY, "b", "c")).toBuilder()
                .pendingOps(new PendingOpsSnapshot(
                        Map.of(
                                "b",
                                new PendingOpsSnapshot.Member(7, 2, 1),
                                "c",
                                new PendingOpsSnapshot.Member(0, 0, -1)),
                        9,
                        10))
                .build();
        ClusterStatus s = ClusterStatus.of(cluster(
                3,
                primary,
                up("b", view("b", Role.SECONDARY, "!a", "c")),
                up("c", view("c", Role.SECONDARY, "!a", "b"))));

        assertThat(s.nodes())
                .extracting(ClusterStatus.Node::name, ClusterStatus.Node::waiting, ClusterStatus.Node::orphaned)
                .containsExactly(tuple("a", -1L, -1L), tuple("b", 7L, 2L), tuple("c", 0L, 0L));
        assertThat(s.primary()).isEqualTo("a");
        assertThat(s.healthy()).isTrue();
    }

    @Test
    void aNodeThePrimaryNeitherListsNorHoldsEntriesForHasNoPendingCount() {
        NodeSnapshot primary = up("a", view("a", Role.PRIMARY, "b")).toBuilder()
                .pendingOps(new PendingOpsSnapshot(Map.of(), 9, 10))
                .build();
        NodeSnapshot seed = NodeSnapshot.builder("10.0.0.3:3014")
                .up(false)
                .downReason(PollErrorReason.REFUSED)
                .build();
        ClusterStatus s = ClusterStatus.of(cluster(0, seed, primary, up("b", view("b", Role.SECONDARY, "!a"))));

        assertThat(s.nodes()).extracting(ClusterStatus.Node::waiting).containsExactly(-1L, -1L, 0L);
    }

    @Test
    void withoutASinglePrimaryPendingIsUnknown() {
        ClusterStatus s = ClusterStatus.of(
                cluster(0, up("a", view("a", Role.PRIMARY, "!b")), up("b", view("b", Role.PRIMARY, "!a"))));

        assertThat(s.primary()).isNull();
        assertThat(s.nodes()).allSatisfy(n -> assertThat(n.waiting()).isEqualTo(-1));
        assertThat(s.viewsAgree()).isTrue();
    }

    @Test
    void aDownNodeHasItsReasonNoRoleAndNoViewVerdict() {
        NodeSnapshot down = up("b", view("b", Role.SECONDARY, "!a")).toBuilder()
                .up(false)
                .downReason(PollErrorReason.AUTH)
                .build();
        ClusterStatus s = ClusterStatus.of(cluster(0, up("a", view("a", Role.PRIMARY)), down));

        ClusterStatus.Node b = s.nodes().get(1);
        assertThat(b.roleLabel()).isEqualTo("-");
        assertThat(b.reason()).isEqualTo("auth");
        assertThat(b.hasView()).isFalse();
        assertThat(b.lastSuccessEpochMillis()).isEqualTo(5);
        assertThat(s.down()).isEqualTo(1);
        assertThat(s.healthy()).isFalse();
    }

    @Test
    void aViewListingAMemberThePrimaryDroppedDisagrees() {
        ClusterStatus s = ClusterStatus.of(
                cluster(0, up("a", view("a", Role.PRIMARY, "b")), up("b", view("b", Role.SECONDARY, "!a", "gone"))));

        assertThat(s.viewsAgree()).isFalse();
        assertThat(s.nodes()).extracting(ClusterStatus.Node::viewAgrees).containsExactly(true, false);
        assertThat(s.healthy()).isFalse();
    }

    @Test
    void fewerNodesThanExpectedIsUnhealthyAndNoNodeAtAllToo() {
        assertThat(ClusterStatus.of(cluster(3, up("a", view("a", Role.PRIMARY))))
                        .healthy())
                .isFalse();
        assertThat(ClusterStatus.of(cluster(1, up("a", view("a", Role.PRIMARY))))
                        .healthy())
                .isTrue();
        assertThat(ClusterStatus.of(ClusterSnapshot.EMPTY).healthy()).isFalse();
    }

    @Test
    void lagComesFromTheCanaryWhileUp() {
        NodeSnapshot a = up("a", view("a", Role.PRIMARY)).toBuilder()
                .canary(new CanarySnapshot(null, 0.2, 1, 0.25, 0, new long[0]))
                .build();
        assertThat(ClusterStatus.of(cluster(0, a)).nodes().get(0).lagSeconds()).isEqualTo(0.25);
        assertThat(ClusterStatus.of(cluster(0, up("a", view("a", Role.PRIMARY))))
                        .nodes()
                        .get(0)
                        .lagSeconds())
                .isNaN();
    }
}
