package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStateParserTest {
    static ClusterView parse(String line) throws ReplyParseException {
        ByteBuf buf = Unpooled.copiedBuffer(line, StandardCharsets.UTF_8);
        try {
            return ClusterStateParser.parse(buf);
        } finally {
            buf.release();
        }
    }

    static ClusterView parseReply(String reply) throws ReplyParseException {
        return parse(MetricsStateParserTest.payloadOf(reply));
    }

    private static ViewMember m(String name, MemberStatus status, Role role) {
        return new ViewMember(name, status, role);
    }

    @Test
    void parsesEveryFixtureView() throws Exception {
        assertThat(parseReply(SpecFixtures.STANDALONE_SESSION.get(2).reply()).members())
                .containsExactly(m("0.0.0.0:3014", MemberStatus.SELF, Role.PRIMARY));
        ClusterView primary = parseReply(SpecFixtures.CLUSTER_STATE_PRIMARY_VIEW);
        assertThat(primary.members())
                .containsExactly(
                        m("127.0.0.1:4114", MemberStatus.SELF, Role.PRIMARY),
                        m("127.0.0.1:4124", MemberStatus.CONNECTED, Role.SECONDARY),
                        m("127.0.0.1:4134", MemberStatus.CONNECTED, Role.SECONDARY));
        assertThat(primary.claimsPrimary()).isTrue();
        ClusterView secondary = parseReply(SpecFixtures.CLUSTER_STATE_SECONDARY_VIEW);
        assertThat(secondary.self()).isEqualTo(m("127.0.0.1:4124", MemberStatus.SELF, Role.SECONDARY));
        assertThat(secondary.primaries()).isEqualTo(1);
        assertThat(parseReply(SpecFixtures.CLUSTER_STATE_EMPTY)).isSameAs(ClusterView.EMPTY);
        ClusterView failover = parseReply(SpecFixtures.CLUSTER_STATE_FAILOVER_WINDOW);
        assertThat(failover.primaries()).isZero();
        assertThat(failover.members()).hasSize(2);
        List<String> split = SpecFixtures.CLUSTER_STATE_SPLIT_BRAIN;
        assertThat(parseReply(split.get(0)).claimsPrimary()).isTrue();
        assertThat(parseReply(split.get(1)).claimsPrimary()).isFalse();
        assertThat(parseReply(split.get(2)).self()).isEqualTo(m("127.0.0.1:4134", MemberStatus.SELF, Role.PRIMARY));
    }

    @Test
    void parsesStartingUpDisconnectedAndNamesWithColonsParenthesesAndCommas() throws Exception {
        assertThat(parse("cluster-state  a(b)(c):d(self):StartingUp , weird,name(Disconnected):Primary,"
                                + " host:1(x)(Connected):Secoundary")
                        .members())
                .containsExactly(
                        m("a(b)(c):d", MemberStatus.SELF, Role.STARTING),
                        m("weird,name", MemberStatus.DISCONNECTED, Role.PRIMARY),
                        m("host:1(x)", MemberStatus.CONNECTED, Role.SECONDARY));
    }

    @Test
    void acceptsTheBareWordAndExtraSpacesAndCommas() throws Exception {
        assertThat(parse("cluster-state")).isSameAs(ClusterView.EMPTY);
        assertThat(parse("cluster-state   ,  , n(self):Primary   ,,").members())
                .containsExactly(m("n", MemberStatus.SELF, Role.PRIMARY));
    }

    @Test
    void reportsAReplyWithoutItsPrefixAsUnsupported() {
        for (String line : List.of("", "metrics-state x", "cluster-statex", "127.0.0.1:3017:Primary, ")) {
            assertThatThrownBy(() -> parse(line))
                    .as(line)
                    .isInstanceOfSatisfying(
                            ReplyParseException.class,
                            e -> assertThat(e.kind()).isEqualTo(ReplyParseException.Kind.UNSUPPORTED));
        }
    }

    @Test
    void reportsMalformedEntriesAsProtocolErrors() {
        for (String line : List.of(
                "cluster-state  127.0.0.1:3017:Primary, 127.0.0.1:3018:Secoundary,",
                "cluster-state  n(self):Leader ,",
                "cluster-state  n(Lost):Primary,",
                "cluster-state  (self):Primary ,",
                "cluster-state  n(self):Primary , trailing garbage",
                "cluster-state  n(self):Primary , trailing garbage,")) {
            assertThatThrownBy(() -> parse(line))
                    .as(line)
                    .isInstanceOfSatisfying(
                            ReplyParseException.class,
                            e -> assertThat(e.kind()).isEqualTo(ReplyParseException.Kind.MALFORMED));
        }
    }
}
