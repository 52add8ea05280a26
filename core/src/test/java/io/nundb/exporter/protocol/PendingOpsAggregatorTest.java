package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PendingOpsAggregatorTest {
    /** Everyone in view with an unknown start: every false flag waits. */
    private static final PendingOpsAggregator.MemberClassifier ALL_WAITING = classifier(Map.of(), null);

    private static PendingOpsAggregator.MemberClassifier classifier(Map<String, Long> starts, Set<String> view) {
        return new PendingOpsAggregator.MemberClassifier() {
            @Override
            public long processStartNanos(String member) {
                return starts.getOrDefault(member, UNKNOWN_START);
            }

            @Override
            public boolean inView(String member) {
                return view == null || view.contains(member);
            }
        };
    }

    /** Feeds a full reply through the decoder, then its payload lines through the aggregator. */
    static PendingOpsSnapshot aggregate(
            PendingOpsAggregator aggregator, PendingOpsAggregator.MemberClassifier classifier, String reply)
            throws ReplyParseException {
        List<DecodedLine> lines = DecodedLine.decode(DecodedLine.bytes(reply), NunDbDecoderConfig.DEFAULT);
        assertThat(lines.get(lines.size() - 1)).isEqualTo(DecodedLine.ok());
        aggregator.begin(classifier);
        for (DecodedLine line : lines.subList(0, lines.size() - 1)) {
            assertThat(line.kind()).isEqualTo(NunDbLine.Kind.PAYLOAD);
            ByteBuf buf = Unpooled.copiedBuffer(line.content(), StandardCharsets.ISO_8859_1);
            int reader = buf.readerIndex();
            aggregator.accept(buf);
            assertThat(buf.readerIndex()).isEqualTo(reader);
            buf.release();
        }
        return aggregator.finish(1234L);
    }

    @Test
    void reportsNothingPending() throws Exception {
        PendingOpsSnapshot snapshot =
                aggregate(new PendingOpsAggregator(), ALL_WAITING, SpecFixtures.PENDING_OPS_EMPTY);
        assertThat(snapshot.members()).isEmpty();
        assertThat(snapshot.fetchedAtEpochMillis()).isEqualTo(1234L);
        assertThat(snapshot.replyBytes()).isEqualTo("pending-ops \n".length());
    }

    @Test
    void countsTheKilledMemberPlateauAsOrphanedOnceItLeftTheView() throws Exception {
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        PendingOpsSnapshot snapshot = aggregate(
                aggregator,
                classifier(Map.of(), Set.of("127.0.0.1:4114", "127.0.0.1:4124")),
                SpecFixtures.PENDING_OPS_KILLED_MEMBER);
        assertThat(snapshot.members())
                .containsOnly(
                        Map.entry("127.0.0.1:4124", new PendingOpsSnapshot.Member(0, 0, -1)),
                        Map.entry("127.0.0.1:4134", new PendingOpsSnapshot.Member(0, 3, -1)));
        assertThat(aggregator.malformedEntries()).isZero();
    }

    @Test
    void countsEntriesAsWaitingWhileTheMemberIsInViewAndTracksTheOldest() throws Exception {
        PendingOpsSnapshot snapshot =
                aggregate(new PendingOpsAggregator(), ALL_WAITING, SpecFixtures.PENDING_OPS_KILLED_MEMBER);
        assertThat(snapshot.members().get("127.0.0.1:4134"))
                .isEqualTo(new PendingOpsSnapshot.Member(3, 0, 1795568958711102285L));
    }

    @Test
    void countsEntriesOlderThanTheMemberProcessAsOrphaned() throws Exception {
        long restartedAt = 1795568958711121240L; // equal to the k1 entry: at or after the start waits
        PendingOpsSnapshot snapshot = aggregate(
                new PendingOpsAggregator(),
                classifier(Map.of("127.0.0.1:4134", restartedAt), null),
                SpecFixtures.PENDING_OPS_KILLED_MEMBER);
        assertThat(snapshot.members().get("127.0.0.1:4134"))
                .isEqualTo(new PendingOpsSnapshot.Member(2, 1, 1795568958711121240L));
    }

    @Test
    void aggregatesTheHungMemberAndTheElectionFixtures() throws Exception {
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        assertThat(aggregate(aggregator, ALL_WAITING, SpecFixtures.PENDING_OPS_HUNG_MEMBER)
                        .members())
                .containsOnly(Map.entry("127.0.0.1:4124", new PendingOpsSnapshot.Member(1, 0, 1795568961590763450L)));
        assertThat(aggregate(aggregator, ALL_WAITING, SpecFixtures.PENDING_OPS_ELECTION)
                        .members())
                .containsOnly(Map.entry("127.0.0.1:4134", new PendingOpsSnapshot.Member(1, 0, 1795569123856542533L)));
    }

    @Test
    void parsesEachEntryFromTheRightWhateverTheMessageHolds() throws Exception {
        String evil = "pending-ops message: \"replicate demo k \", opp_id: 1, ack_count: 0, replicate_count: 1,"
                + " replications: , fake:false\", opp_id: 5000, ack_count: 0, replicate_count: 2, replications: ,"
                + " a:b:c:false, x:1:true\n"
                + "message: \"\"\"\", opp_id: 4000, ack_count: 1, replicate_count: 2, replications: , x:1:true,"
                + " a:b:c:false\n"
                + "ok \n";
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        PendingOpsSnapshot snapshot = aggregate(aggregator, ALL_WAITING, evil);
        assertThat(snapshot.members())
                .containsOnly(
                        Map.entry("a:b:c", new PendingOpsSnapshot.Member(2, 0, 4000)),
                        Map.entry("x:1", new PendingOpsSnapshot.Member(0, 0, -1)));
        assertThat(aggregator.malformedEntries()).isZero();
    }

    @Test
    void countsMalformedEntriesWithoutThrowingOrCountingTheirMembers() throws Exception {
        String reply =
                "pending-ops message: \"m\", opp_id: 10, ack_count: 0, replicate_count: 1, replications: , a:false\n"
                        + "garbage\n"
                        + "message: \"m\", opp_id: x, ack_count: 0, replicate_count: 1, replications: , a:false\n"
                        + "message: \"m\", ack_count: 0, replicate_count: 1, replications: , a:false\n"
                        + "message: \"m\", opp_id: 11, replications: , a:maybe\n"
                        + "message: \"m\", opp_id: 12, replications: , :false\n"
                        + "message: \"m\", opp_id: 13, ack_count: 0\n"
                        + "message: \"m\", opp_id: 14, replications: , b:false\n"
                        + "ok \n";
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        PendingOpsSnapshot snapshot = aggregate(aggregator, ALL_WAITING, reply);
        assertThat(snapshot.members())
                .containsOnly(
                        Map.entry("a", new PendingOpsSnapshot.Member(1, 0, 10)),
                        Map.entry("b", new PendingOpsSnapshot.Member(1, 0, 14)));
        assertThat(aggregator.malformedEntries()).isEqualTo(6);
    }

    @Test
    void reportsAReplyWithoutItsPrefixAsUnsupported() {
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        for (String reply : List.of("ok \n", "pending-opsx\nok \n", "value x\nok \n")) {
            assertThatThrownBy(() -> aggregate(aggregator, ALL_WAITING, reply))
                    .as(reply)
                    .isInstanceOfSatisfying(
                            ReplyParseException.class,
                            e -> assertThat(e.kind()).isEqualTo(ReplyParseException.Kind.UNSUPPORTED));
        }
    }

    @Test
    void asksTheClassifierOncePerMemberPerReply() throws Exception {
        List<String> asked = new ArrayList<>();
        PendingOpsAggregator.MemberClassifier counting = new PendingOpsAggregator.MemberClassifier() {
            @Override
            public long processStartNanos(String member) {
                asked.add(member);
                return UNKNOWN_START;
            }

            @Override
            public boolean inView(String member) {
                return true;
            }
        };
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        aggregate(aggregator, counting, SpecFixtures.PENDING_OPS_KILLED_MEMBER);
        assertThat(asked).containsExactlyInAnyOrder("127.0.0.1:4124", "127.0.0.1:4134");
        aggregate(aggregator, counting, SpecFixtures.PENDING_OPS_KILLED_MEMBER);
        assertThat(asked).hasSize(4);
    }

    @Test
    void rejectsUseOutOfOrder() {
        PendingOpsAggregator aggregator = new PendingOpsAggregator();
        ByteBuf line = Unpooled.copiedBuffer("pending-ops ", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> aggregator.accept(line)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> aggregator.finish(0)).isInstanceOf(IllegalStateException.class);
        line.release();
    }
}
