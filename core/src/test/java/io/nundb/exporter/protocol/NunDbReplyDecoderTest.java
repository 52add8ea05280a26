package io.nundb.exporter.protocol;

import static io.nundb.exporter.protocol.DecodedLine.bytes;
import static io.nundb.exporter.protocol.DecodedLine.changed;
import static io.nundb.exporter.protocol.DecodedLine.changedVersion;
import static io.nundb.exporter.protocol.DecodedLine.decode;
import static io.nundb.exporter.protocol.DecodedLine.decodeSplit;
import static io.nundb.exporter.protocol.DecodedLine.error;
import static io.nundb.exporter.protocol.DecodedLine.latin1;
import static io.nundb.exporter.protocol.DecodedLine.ok;
import static io.nundb.exporter.protocol.DecodedLine.payload;
import static io.nundb.exporter.protocol.DecodedLine.removed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NunDbReplyDecoderTest {
    private static final NunDbDecoderConfig DEFAULT = NunDbDecoderConfig.DEFAULT;

    /** Every reply in {@link SpecFixtures} with the lines the decoder must emit for it. */
    private static List<Case> fixtureCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("greeting", SpecFixtures.GREETING, ok()));
        for (SpecFixtures.Exchange e : SpecFixtures.STANDALONE_SESSION) {
            switch (e.name()) {
                case "auth-valid" -> cases.add(new Case(e.name(), e.reply(), payload("valid auth"), ok()));
                case "metrics-state-fresh", "cluster-state-standalone" ->
                    cases.add(new Case(e.name(), e.reply(), payload(firstLine(e.reply())), ok()));
                case "get-without-db" -> cases.add(new Case(e.name(), e.reply(), error("no-db-selected")));
                default -> throw new AssertionError("fixture without expectation: " + e.name());
            }
        }
        for (SpecFixtures.Exchange e : SpecFixtures.STATELESS) {
            switch (e.name()) {
                case "unknown-command" -> cases.add(new Case(e.name(), e.reply(), error("unknown command: foo")));
                case "empty-command" -> cases.add(new Case(e.name(), e.reply(), error("empty command")));
                case "crlf-is-part-of-word" ->
                    cases.add(new Case(e.name(), e.reply(), error("unknown command: metrics-state\r")));
                case "debug-without-subcommand" ->
                    cases.add(new Case(e.name(), e.reply(), error("command is mandatory")));
                default -> throw new AssertionError("fixture without expectation: " + e.name());
            }
        }
        for (SpecFixtures.Exchange e : SpecFixtures.UNAUTHENTICATED) {
            switch (e.name()) {
                case "metrics-state-not-auth", "pending-ops-not-auth" ->
                    cases.add(new Case(e.name(), e.reply(), error("Not auth")));
                case "auth-invalid" -> cases.add(new Case(e.name(), e.reply(), payload("invalid auth"), ok()));
                default -> throw new AssertionError("fixture without expectation: " + e.name());
            }
        }
        for (String reply : List.of(
                SpecFixtures.METRICS_STATE_PRIMARY,
                SpecFixtures.METRICS_STATE_EXPONENTS,
                SpecFixtures.CLUSTER_STATE_PRIMARY_VIEW,
                SpecFixtures.CLUSTER_STATE_SECONDARY_VIEW,
                SpecFixtures.CLUSTER_STATE_EMPTY,
                SpecFixtures.CLUSTER_STATE_FAILOVER_WINDOW,
                SpecFixtures.CLUSTER_STATE_SPLIT_BRAIN.get(0),
                SpecFixtures.CLUSTER_STATE_SPLIT_BRAIN.get(1),
                SpecFixtures.CLUSTER_STATE_SPLIT_BRAIN.get(2),
                SpecFixtures.PENDING_OPS_EMPTY,
                SpecFixtures.PENDING_OPS_HUNG_MEMBER,
                SpecFixtures.PENDING_OPS_ELECTION)) {
            cases.add(new Case(firstLine(reply), reply, payload(firstLine(reply)), ok()));
        }
        String[] killed = SpecFixtures.PENDING_OPS_KILLED_MEMBER.split("\n");
        cases.add(new Case(
                "pending-ops-killed-member",
                SpecFixtures.PENDING_OPS_KILLED_MEMBER,
                payload(killed[0]),
                payload(killed[1]),
                payload(killed[2]),
                ok()));
        cases.add(new Case(
                "process-info",
                SpecFixtures.PROCESS_INFO,
                payload("process-info "),
                payload("process_id: 1795568803056"),
                ok()));
        cases.add(new Case(
                "list-dbs",
                SpecFixtures.LIST_DBS,
                payload("dbs-list "),
                payload("demo : none"),
                payload("$admin : newer"),
                payload("newerdb : newer"),
                ok()));
        cases.add(new Case(
                "list-dbs-fresh", SpecFixtures.LIST_DBS_FRESH, payload("dbs-list "), payload("$admin : newer"), ok()));
        cases.add(new Case("push-changed", SpecFixtures.PUSH_CHANGED, changed("wkey v1"), changedVersion("wkey 1 v1")));
        cases.add(new Case("push-removed", SpecFixtures.PUSH_REMOVED, removed("wk")));
        String[] pipelined = SpecFixtures.PIPELINED_POLL_REPLY.split("\n");
        cases.add(new Case(
                "pipelined",
                SpecFixtures.PIPELINED_POLL_REPLY,
                payload(pipelined[0]),
                ok(),
                payload(pipelined[3]),
                ok(),
                payload(pipelined[5]),
                ok()));
        for (SpecFixtures.Exchange e : SpecFixtures.ADMIN_AND_DATA) {
            if (e.name().equals("get-safe-missing")) {
                cases.add(new Case(e.name(), e.reply(), payload("value-version 1 <Empty>"), ok()));
            } else {
                String msg = e.reply().substring("error ".length(), e.reply().length() - 2);
                cases.add(new Case(e.name(), e.reply(), error(msg)));
            }
        }
        return cases;
    }

    private record Case(String name, String reply, List<DecodedLine> expected) {
        Case(String name, String reply, DecodedLine... expected) {
            this(name, reply, latin1(expected));
        }

        private static List<DecodedLine> latin1(DecodedLine[] lines) {
            List<DecodedLine> result = new ArrayList<>();
            for (DecodedLine l : lines) {
                result.add(new DecodedLine(l.kind(), DecodedLine.latin1(l.content()), l.truncated()));
            }
            return result;
        }
    }

    private static String firstLine(String reply) {
        return reply.substring(0, reply.indexOf('\n'));
    }

    @Test
    void classifiesEveryFixtureReplyInOneRead() {
        for (Case c : fixtureCases()) {
            assertThat(decode(bytes(c.reply()), DEFAULT)).as(c.name()).isEqualTo(c.expected());
        }
    }

    @Test
    void classifiesEveryFixtureReplySplitAtRandomOffsets() {
        Random random = new Random(20260307L);
        for (Case c : fixtureCases()) {
            for (int i = 0; i < 30; i++) {
                assertThat(decodeSplit(bytes(c.reply()), random, DEFAULT))
                        .as(c.name())
                        .isEqualTo(c.expected());
            }
        }
    }

    @Test
    void classifiesEveryFixtureReplyOneByteAtATime() {
        for (Case c : fixtureCases()) {
            byte[] input = bytes(c.reply());
            int[] offsets = new int[Math.max(0, input.length - 1)];
            Arrays.setAll(offsets, i -> i + 1);
            assertThat(decode(input, offsets, DEFAULT, true)).as(c.name()).isEqualTo(c.expected());
        }
    }

    @Test
    void classifiesAllFixtureRepliesMergedInOneStreamSplitAnywhere() {
        Random random = new Random(42L);
        for (int round = 0; round < 200; round++) {
            List<Case> cases = fixtureCases();
            java.util.Collections.shuffle(cases, random);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            List<DecodedLine> expected = new ArrayList<>();
            for (Case c : cases.subList(0, 1 + random.nextInt(cases.size()))) {
                stream.writeBytes(bytes(c.reply()));
                expected.addAll(c.expected());
            }
            byte[] input = stream.toByteArray();
            int[] offsets =
                    random.ints(random.nextInt(40), 1, input.length).sorted().toArray();
            assertThat(decode(input, offsets, DEFAULT, true)).isEqualTo(expected);
        }
    }

    @Test
    void emitsPushesBetweenAPayloadLineAndItsStatus() {
        String stream = "value x\n" + SpecFixtures.PUSH_CHANGED + "ok \n";
        assertThat(decode(bytes(stream), DEFAULT))
                .containsExactly(payload("value x"), changed("wkey v1"), changedVersion("wkey 1 v1"), ok());
    }

    @Test
    void emitsPushesInsideTheNoDbSequenceAndStillOneError() {
        String stream = "error no-db-selected\nremoved k\nerror error no-db-selected\n \nok \n";
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            assertThat(decodeSplit(bytes(stream), random, DEFAULT))
                    .containsExactly(removed("k"), error("no-db-selected"), ok());
        }
    }

    @Test
    void collapsesThePermissionDeniedSequenceIntoOneError() {
        String stream = "permission denied\nerror permission denied\n \nok \n";
        assertThat(decode(bytes(stream), DEFAULT)).containsExactly(error("permission denied"), ok());
    }

    @Test
    void turnsNoDbFollowedByOkIntoPayloadThenOk() {
        // debug pendding-conflitcts without a database (Appendix B): one request, one status line.
        assertThat(decode(bytes("error no-db-selected\nok \n"), DEFAULT))
                .containsExactly(payload("error no-db-selected"), ok());
    }

    @Test
    void releasesAnUnfinishedSequenceLineAsPayloadWhenSomethingElseFollows() {
        assertThat(decode(bytes("permission denied\nvalue x\nok \n"), DEFAULT))
                .containsExactly(payload("permission denied"), payload("value x"), ok());
        assertThat(decode(bytes("error no-db-selected\nerror error no-db-selected\nok \n"), DEFAULT))
                .containsExactly(error("no-db-selected"), ok());
    }

    @Test
    void flushesAHeldSequenceLineWhenTheChannelCloses() {
        assertThat(decode(bytes("error no-db-selected\n"), DEFAULT)).containsExactly(payload("error no-db-selected"));
        assertThat(decode(bytes("error no-db-selected\nerror error no-db-selected\n"), DEFAULT))
                .containsExactly(error("no-db-selected"));
    }

    @Test
    void dropsAPartialLastLineOnClose() {
        assertThat(decode(bytes("ok \nmetrics-state pending"), DEFAULT)).containsExactly(ok());
    }

    @Test
    void doesNotEmitEmptyLines() {
        assertThat(decode(bytes("\n\n\nok \n\n"), DEFAULT)).containsExactly(ok());
    }

    @Test
    void keepsCarriageReturnsAndNonUtf8BytesInPayload() {
        byte[] input = {'v', 'a', 'l', 'u', 'e', ' ', (byte) 0xff, (byte) 0xfe, '\r', '\n', 'o', 'k', ' ', '\n'};
        assertThat(decode(input, DEFAULT)).containsExactly(payload("value \u00ff\u00fe\r"), ok());
        assertThat(decode(bytes("ok \r\n"), DEFAULT)).containsExactly(payload("ok \r"));
    }

    @Test
    void treatsAStatusWithoutItsTrailingSpaceAsPayload() {
        assertThat(decode(bytes("ok\nerror Not auth\n \n"), DEFAULT))
                .containsExactly(payload("ok"), payload("error Not auth"), payload(" "));
    }

    @Test
    void leavesPushWordsAsPayloadWhenPushesAreOff() {
        NunDbDecoderConfig noPushes =
                new NunDbDecoderConfig(DEFAULT.maxLineBytes(), DEFAULT.maxClusterStateLineBytes(), false);
        assertThat(decode(bytes("dbs-list \nchanged : none\nremoved k\nok \n"), noPushes))
                .containsExactly(payload("dbs-list "), payload("changed : none"), payload("removed k"), ok());
    }

    @Test
    void truncatesAnOverLongLineInTheMiddleAndCountsIt() {
        NunDbDecoderConfig config = new NunDbDecoderConfig(256, 512, true);
        String line = "H".repeat(128) + "m".repeat(10_000) + "T".repeat(128);
        String stream = line + "\nok \n";
        DecodedLine truncated = new DecodedLine(NunDbLine.Kind.PAYLOAD, "H".repeat(128) + "T".repeat(128), true);
        assertThat(decode(bytes(stream), config)).containsExactly(truncated, ok());
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            assertThat(decodeSplit(bytes(stream), random, config)).containsExactly(truncated, ok());
        }
        int[] everyByte = new int[stream.length() - 1];
        Arrays.setAll(everyByte, i -> i + 1);
        assertThat(decode(bytes(stream), everyByte, config, true)).containsExactly(truncated, ok());
    }

    @Test
    void keepsALineOfExactlyTheLimit() {
        NunDbDecoderConfig config = new NunDbDecoderConfig(256, 512, true);
        String line = "x".repeat(256);
        assertThat(decode(bytes(line + "\n"), config)).containsExactly(payload(line));
        assertThat(decode(bytes(line + "y\n"), config))
                .containsExactly(
                        new DecodedLine(NunDbLine.Kind.PAYLOAD, "x".repeat(128) + "x".repeat(127) + "y", true));
    }

    @Test
    void givesClusterStateLinesTheLargerLimit() {
        NunDbDecoderConfig config = new NunDbDecoderConfig(256, 512, true);
        String view = "cluster-state " + "a".repeat(486);
        assertThat(view).hasSize(500);
        assertThat(decode(bytes(view + "\n"), config)).containsExactly(payload(view));
        String longView = "cluster-state " + "b".repeat(600) + "E".repeat(256);
        List<DecodedLine> lines = decode(bytes(longView + "\nok \n"), config);
        assertThat(lines.get(0).truncated()).isTrue();
        assertThat(lines.get(0).content())
                .hasSize(512)
                .startsWith("cluster-state bbb")
                .endsWith("E".repeat(256));
        assertThat(lines.get(1)).isEqualTo(ok());
    }

    @Test
    void countsTruncatedLinesAndNeverBuffersMuchMoreThanTheLimit() {
        NunDbReplyDecoder decoder = new NunDbReplyDecoder(new NunDbDecoderConfig(256, 512, true));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        // Every buffer in the channel comes from this allocator, which counts the heap it has handed out.
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        channel.config().setAllocator(alloc);
        byte[] chunk = "z".repeat(100).getBytes(StandardCharsets.US_ASCII);
        for (int line = 0; line < 3; line++) {
            for (int i = 0; i < 100; i++) {
                channel.writeInbound(alloc.heapBuffer(100).writeBytes(chunk));
                // The head kept (256) and a cumulation of a few reads (512 here), never the 10 kB line.
                assertThat(alloc.metric().usedHeapMemory()).isLessThanOrEqualTo(4 * 256);
            }
            channel.writeInbound(Unpooled.copiedBuffer("\n", StandardCharsets.US_ASCII));
            NunDbLine decoded = channel.readInbound();
            assertThat(decoded.truncated()).isTrue();
            assertThat(decoded.content().readableBytes()).isEqualTo(256);
            decoded.release();
        }
        assertThat(decoder.truncatedLines()).isEqualTo(3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void releasesTheHeadOfALineBeingTruncatedWhenTheChannelCloses() {
        NunDbDecoderConfig config = new NunDbDecoderConfig(256, 512, true);
        assertThat(decode(bytes("ok \n" + "q".repeat(5000)), new int[] {100, 1000, 3000}, config, true))
                .containsExactly(ok());
    }

    @Test
    void emitsLinesTheReceiverMustRelease() {
        EmbeddedChannel channel = new EmbeddedChannel(new NunDbReplyDecoder(DEFAULT));
        ByteBuf input = Unpooled.copiedBuffer("value a\nok \n", StandardCharsets.US_ASCII);
        channel.writeInbound(input);
        NunDbLine first = channel.readInbound();
        NunDbLine second = channel.readInbound();
        assertThat(first.refCnt()).isEqualTo(1);
        assertThat(input.refCnt()).as("the payload slice keeps the read buffer").isPositive();
        first.release();
        second.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(input.refCnt()).isZero();
        assertThat(first.toString()).doesNotContain("value");
    }

    @Test
    void rejectsInvalidLimits() {
        assertThatThrownBy(() -> new NunDbDecoderConfig(255, 1024, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NunDbDecoderConfig(1024, 1023, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NunDbDecoderConfig.DEFAULT.maxLineBytes()).isEqualTo(64 * 1024);
        assertThat(NunDbDecoderConfig.DEFAULT.maxClusterStateLineBytes()).isEqualTo(1024 * 1024);
    }
}
