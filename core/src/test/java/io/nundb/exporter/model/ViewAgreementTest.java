package io.nundb.exporter.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewAgreementTest {
    static final String A = "127.0.0.1:4114";
    static final String B = "127.0.0.1:4124";
    static final String C = "127.0.0.1:4134";

    /** A view as {@code self}: each entry {@code name=P|S|T}, the node itself marked {@code (self)}. */
    static ClusterView view(String self, String... entries) {
        List<ViewMember> members = new ArrayList<>();
        for (String e : entries) {
            String name = e.substring(0, e.length() - 2);
            Role role = switch (e.charAt(e.length() - 1)) {
                case 'P' -> Role.PRIMARY;
                case 'S' -> Role.SECONDARY;
                default -> Role.STARTING;
            };
            members.add(new ViewMember(name, name.equals(self) ? MemberStatus.SELF : MemberStatus.CONNECTED, role));
        }
        return new ClusterView(members);
    }

    static NodeSnapshot up(String name, ClusterView view) {
        return NodeSnapshot.builder(name).up(true).view(view).build();
    }

    static NodeSnapshot down(String name, ClusterView view) {
        return NodeSnapshot.builder(name)
                .up(false)
                .downReason(PollErrorReason.REFUSED)
                .view(view)
                .build();
    }

    static ClusterSnapshot cluster(NodeSnapshot... nodes) {
        return new ClusterSnapshot(0, List.of(nodes), 0, 0);
    }

    @Test
    void healthyClusterAgreesWithEveryNodeAndNothingExtra() {
        ViewAgreement a = ViewAgreement.of(cluster(
                up(A, view(A, A + "=P", B + "=S", C + "=S")),
                up(B, view(B, A + "=P", B + "=S", C + "=S")),
                up(C, view(C, A + "=P", B + "=S", C + "=S"))));

        assertThat(a.agree()).isTrue();
        assertThat(a.primary()).contains(A);
        assertThat(a.agrees(A)).isTrue();
        assertThat(a.agrees(B)).isTrue();
        assertThat(a.agrees(C)).isTrue();
        assertThat(a.membersNotInPrimary()).isEqualTo(Map.of(A, 0, B, 0, C, 0));
    }

    @Test
    void survivorStillListingADeadMemberDisagreesAloneAndCountsIt() {
        // Appendix C: B kept listing the dead C as Connected for ~82 s while the primary had dropped it.
        ViewAgreement a = ViewAgreement.of(cluster(
                up(A, view(A, A + "=P", B + "=S")),
                up(B, view(B, A + "=P", B + "=S", C + "=S")),
                down(C, view(C, A + "=P", B + "=S", C + "=S"))));

        assertThat(a.agree()).isFalse();
        assertThat(a.primary()).contains(A);
        assertThat(a.agrees(A)).isTrue();
        assertThat(a.agrees(B)).isFalse();
        assertThat(a.agrees(C)).as("a down node takes no part").isTrue();
        assertThat(a.membersNotInPrimary()).isEqualTo(Map.of(A, 0, B, 1));
    }

    @Test
    void primaryListingAMemberAnotherViewLacksDisagreesWithoutExtraMembers() {
        ViewAgreement a = ViewAgreement.of(cluster(
                up(A, view(A, A + "=P", B + "=S", C + "=S")),
                up(B, view(B, A + "=P", B + "=S")),
                up(C, view(C, A + "=P", B + "=S", C + "=S"))));

        assertThat(a.agree()).isFalse();
        assertThat(a.agrees(B)).isFalse();
        assertThat(a.agrees(C)).isTrue();
        assertThat(a.membersNotInPrimary()).isEqualTo(Map.of(A, 0, B, 0, C, 0));
    }

    @Test
    void sameMembersButAnotherPrimaryDisagrees() {
        ViewAgreement a = ViewAgreement.of(cluster(
                up(A, view(A, A + "=P", B + "=S", C + "=S")),
                up(B, view(B, A + "=S", B + "=S", C + "=P")),
                up(C, view(C, A + "=P", B + "=S", C + "=S"))));

        assertThat(a.agree()).isFalse();
        assertThat(a.primary()).contains(A);
        assertThat(a.agrees(B)).isFalse();
        assertThat(a.membersNotInPrimary()).containsEntry(B, 0);
    }

    @Test
    void statusDoesNotCountOnlyNamesAndPrimary() {
        List<ViewMember> disconnected = List.of(
                new ViewMember(A, MemberStatus.CONNECTED, Role.PRIMARY),
                new ViewMember(B, MemberStatus.SELF, Role.SECONDARY),
                new ViewMember(C, MemberStatus.DISCONNECTED, Role.SECONDARY));
        ViewAgreement a = ViewAgreement.of(
                cluster(up(A, view(A, A + "=P", B + "=S", C + "=S")), up(B, new ClusterView(disconnected))));

        assertThat(a.agree()).isTrue();
        assertThat(a.agrees(B)).isTrue();
    }

    @Test
    void emptyViewOfAStartingNodeDisagrees() {
        ViewAgreement a =
                ViewAgreement.of(cluster(up(A, view(A, A + "=P", B + "=S")), up(B, ClusterView.EMPTY), up(C, null)));

        assertThat(a.agree()).isFalse();
        assertThat(a.agrees(B)).isFalse();
        assertThat(a.agrees(C)).as("no view yet takes no part").isTrue();
        assertThat(a.membersNotInPrimary()).isEqualTo(Map.of(A, 0, B, 0));
    }

    @Test
    void electionWindowHasNoPrimaryAndAgreesWhenViewsMatch() {
        // Spec §3.2: at +60 ms both survivors list themselves Secoundary and no Primary at all.
        ViewAgreement a = ViewAgreement.of(cluster(
                down(A, view(A, A + "=P", B + "=S", C + "=S")),
                up(B, view(B, B + "=S", C + "=S")),
                up(C, view(C, B + "=S", C + "=S"))));

        assertThat(a.agree()).isTrue();
        assertThat(a.primary()).isEmpty();
        assertThat(a.membersNotInPrimary()).isEmpty();
    }

    @Test
    void splitBrainHasNoReferenceButDisagrees() {
        ViewAgreement a = ViewAgreement.of(cluster(
                up(A, view(A, A + "=P", B + "=S")), up(B, view(B, A + "=S", B + "=S")), up(C, view(C, C + "=P"))));

        assertThat(a.agree()).isFalse();
        assertThat(a.primary()).isEmpty();
        assertThat(a.agrees(C)).as("no reference").isTrue();
        assertThat(a.membersNotInPrimary()).isEmpty();
    }

    @Test
    void noUpNodeWithAViewAgreesTrivially() {
        ViewAgreement a = ViewAgreement.of(cluster(down(A, view(A, A + "=P")), up(B, null)));

        assertThat(a.agree()).isTrue();
        assertThat(a.primary()).isEmpty();
        assertThat(a.membersNotInPrimary()).isEmpty();
        assertThat(ViewAgreement.of(ClusterSnapshot.EMPTY).agree()).isTrue();
    }

    @Test
    void standaloneNodeAgreesWithItself() {
        ViewAgreement a = ViewAgreement.of(cluster(up(A, view(A, A + "=P"))));

        assertThat(a.agree()).isTrue();
        assertThat(a.primary()).contains(A);
        assertThat(a.membersNotInPrimary()).isEqualTo(Map.of(A, 0));
    }
}
