package io.nundb.exporter.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For any cluster of up and down nodes whose up nodes see the same members and primary, where some up
 * nodes also keep listing dead members (stale views): exactly the stale nodes disagree, each counts
 * exactly its stale members, and neither the order of the nodes nor of the entries in a view matters.
 */
class ViewAgreementPropertiesTest {
    /** {@code size} nodes; node {@code primary} claims primary; bit i of {@code upMask}: node i up; stale counts. */
    record Case(int size, int primary, int upMask, int[] stale, long seed) {}

    @Property(tries = 500)
    void exactlyTheStaleNodesDisagree(@ForAll("cases") Case c) {
        Random random = new Random(c.seed());
        List<String> alive = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            if (up(c, i)) {
                alive.add(name(i));
            }
        }
        List<NodeSnapshot> nodes = new ArrayList<>();
        int staleNodes = 0;
        for (int i = 0; i < c.size(); i++) {
            List<ViewMember> members = new ArrayList<>();
            for (String m : alive) {
                members.add(member(m, name(i), m.equals(name(c.primary())) ? Role.PRIMARY : Role.SECONDARY));
            }
            int stale = up(c, i) ? c.stale()[i] : 0;
            staleNodes += stale > 0 ? 1 : 0;
            for (int g = 0; g < stale; g++) {
                members.add(member("dead-" + g, name(i), Role.SECONDARY));
            }
            Collections.shuffle(members, random);
            NodeSnapshot.Builder b = NodeSnapshot.builder(name(i)).up(up(c, i)).view(new ClusterView(members));
            if (!up(c, i)) {
                b.downReason(PollErrorReason.REFUSED);
            }
            nodes.add(b.build());
        }
        Collections.shuffle(nodes, random);

        ViewAgreement a = ViewAgreement.of(new ClusterSnapshot(0, nodes, 0, 0));

        boolean primaryUp = up(c, c.primary());
        assertThat(a.primary()).isEqualTo(primaryUp ? Optional.of(name(c.primary())) : Optional.empty());
        int[] counts = c.stale();
        boolean primaryStale = primaryUp && counts[c.primary()] > 0;
        if (staleNodes == 0) {
            assertThat(a.agree()).isTrue();
        }
        if (!primaryUp) {
            assertThat(a.membersNotInPrimary()).isEmpty();
            return;
        }
        for (int i = 0; i < c.size(); i++) {
            if (!up(c, i)) {
                assertThat(a.membersNotInPrimary()).doesNotContainKey(name(i));
                assertThat(a.agrees(name(i))).isTrue();
                continue;
            }
            // The primary's own ghosts are in the reference, so others lack them (and disagree) but list none extra.
            int expectedExtra = Math.max(0, counts[i] - (primaryStale ? counts[c.primary()] : 0));
            assertThat(a.membersNotInPrimary()).containsEntry(name(i), expectedExtra);
            boolean sameAsPrimary = counts[i] == counts[c.primary()];
            assertThat(a.agrees(name(i))).as("node %d", i).isEqualTo(sameAsPrimary);
            if (!sameAsPrimary) {
                assertThat(a.agree()).isFalse();
            }
        }
    }

    private static boolean up(Case c, int i) {
        return (c.upMask() & (1 << i)) != 0;
    }

    private static String name(int i) {
        return "127.0.0.1:" + (4114 + 10 * i);
    }

    private static ViewMember member(String name, String self, Role role) {
        return new ViewMember(name, name.equals(self) ? MemberStatus.SELF : MemberStatus.CONNECTED, role);
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.integers()
                .between(1, 5)
                .flatMap(size -> Combinators.combine(
                                Arbitraries.integers().between(0, size - 1),
                                Arbitraries.integers().between(0, (1 << size) - 1),
                                Arbitraries.integers()
                                        .between(0, 3)
                                        .array(int[].class)
                                        .ofSize(size),
                                Arbitraries.longs())
                        .as((primary, upMask, stale, seed) -> new Case(size, primary, upMask, stale, seed)));
    }
}
