package io.nundb.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewAgreementMetricFamiliesTest {
    static final String A = "127.0.0.1:4114";
    static final String B = "127.0.0.1:4124";
    static final String C = "127.0.0.1:4134";

    static NodeSnapshot up(String name, ViewMember... members) {
        return NodeSnapshot.builder(name)
                .up(true)
                .view(new ClusterView(List.of(members)))
                .build();
    }

    static ViewMember member(String name, String self, Role role) {
        return new ViewMember(name, name.equals(self) ? MemberStatus.SELF : MemberStatus.CONNECTED, role);
    }

    static List<String> lines(ClusterSnapshot cluster) throws IOException {
        String text = ClusterMetricFamiliesTest.text(
                ClusterMetricFamilies.build(cluster, ClusterMetricFamiliesTest.EXPORTER));
        return Arrays.stream(text.split("\n"))
                .filter(l -> l.startsWith("nundb_cluster_views_agree") || l.startsWith("nundb_node_view_members_not"))
                .toList();
    }

    static NodeSnapshot view(String self, String... secondaries) {
        ViewMember[] members = new ViewMember[secondaries.length + 1];
        members[0] = member(A, self, Role.PRIMARY);
        for (int i = 0; i < secondaries.length; i++) {
            members[i + 1] = member(secondaries[i], self, Role.SECONDARY);
        }
        return up(self, members);
    }

    @Test
    void staleSurvivorMakesViewsDisagreeAndCountsItsExtraMemberOnItsOwnSeries() throws IOException {
        NodeSnapshot deadC = NodeSnapshot.builder(C)
                .up(false)
                .downReason(PollErrorReason.REFUSED)
                .build();

        assertThat(lines(new ClusterSnapshot(1L, List.of(view(A, B), view(B, B, C), deadC), 0, 0)))
                .containsExactly(
                        "nundb_cluster_views_agree 0.0",
                        "nundb_node_view_members_not_in_primary{node=\"" + A + "\"} 0.0",
                        "nundb_node_view_members_not_in_primary{node=\"" + B + "\"} 1.0");
    }

    @Test
    void agreeingViewsExposeOneAndZeroExtraMembers() throws IOException {
        assertThat(lines(new ClusterSnapshot(1L, List.of(view(A, B, C), view(B, B, C), view(C, B, C)), 0, 0)))
                .containsExactly(
                        "nundb_cluster_views_agree 1.0",
                        "nundb_node_view_members_not_in_primary{node=\"" + A + "\"} 0.0",
                        "nundb_node_view_members_not_in_primary{node=\"" + B + "\"} 0.0",
                        "nundb_node_view_members_not_in_primary{node=\"" + C + "\"} 0.0");
    }

    @Test
    void withoutASinglePrimaryOnlyTheClusterGaugeIsEmitted() throws IOException {
        NodeSnapshot b = up(B, member(B, B, Role.SECONDARY), member(C, B, Role.SECONDARY));
        NodeSnapshot c = up(C, member(B, C, Role.SECONDARY), member(C, C, Role.SECONDARY));

        assertThat(lines(new ClusterSnapshot(1L, List.of(b, c), 0, 0)))
                .containsExactly("nundb_cluster_views_agree 1.0");
    }

    @Test
    void nothingWhileNoNodeIsUp() throws IOException {
        NodeSnapshot down = NodeSnapshot.builder(A)
                .up(false)
                .downReason(PollErrorReason.REFUSED)
                .build();

        assertThat(lines(new ClusterSnapshot(1L, List.of(down), 0, 0))).isEmpty();
    }
}
