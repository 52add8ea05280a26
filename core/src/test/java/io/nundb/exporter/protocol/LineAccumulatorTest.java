package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProcessInfoParser} and {@link ListDbsParser}, fed through the decoder. */
class LineAccumulatorTest {
    private static void feed(LineAccumulator accumulator, String reply) {
        List<DecodedLine> lines = DecodedLine.decode(DecodedLine.bytes(reply), NunDbDecoderConfig.DEFAULT);
        assertThat(lines.get(lines.size() - 1)).isEqualTo(DecodedLine.ok());
        accumulator.begin();
        for (DecodedLine line : lines.subList(0, lines.size() - 1)) {
            ByteBuf buf = Unpooled.copiedBuffer(line.content(), StandardCharsets.ISO_8859_1);
            accumulator.accept(buf);
            buf.release();
        }
    }

    private static long processId(String reply) throws ReplyParseException {
        ProcessInfoParser parser = new ProcessInfoParser();
        feed(parser, reply);
        return parser.finish();
    }

    private static int databases(String reply) throws ReplyParseException {
        ListDbsParser parser = new ListDbsParser();
        feed(parser, reply);
        return parser.finish();
    }

    private static void assertReason(
            ReplyParseException.Kind kind, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        ReplyParseException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void parsesTheProcessInfoFixture() throws Exception {
        assertThat(processId(SpecFixtures.PROCESS_INFO)).isEqualTo(1795568803056L);
        assertThat(processId("process-info \nfuture: 1\nprocess_id :  42 \nok \n"))
                .isEqualTo(42L);
    }

    @Test
    void rejectsProcessInfoWithoutPrefixOrId() {
        assertReason(ReplyParseException.Kind.UNSUPPORTED, () -> processId("ok \n"));
        assertReason(ReplyParseException.Kind.UNSUPPORTED, () -> processId("process_id: 1\nok \n"));
        assertReason(ReplyParseException.Kind.MALFORMED, () -> processId("process-info \nok \n"));
        assertReason(ReplyParseException.Kind.MALFORMED, () -> processId("process-info \nprocess_id: 1x\nok \n"));
        assertReason(
                ReplyParseException.Kind.MALFORMED,
                () -> processId("process-info \nprocess_id: 340282366920938463463374607431768211455\nok \n"));
    }

    @Test
    void countsDatabasesOfTheListDbsFixtures() throws Exception {
        assertThat(databases(SpecFixtures.LIST_DBS)).isEqualTo(3);
        assertThat(databases(SpecFixtures.LIST_DBS_FRESH)).isEqualTo(1);
        assertThat(databases("dbs-list \nok \n")).isZero();
        assertThat(databases("dbs-list \na : b : none\nok \n")).isEqualTo(1);
    }

    @Test
    void rejectsListDbsWithoutPrefixOrWithMalformedLines() {
        assertReason(ReplyParseException.Kind.UNSUPPORTED, () -> databases("demo : none\nok \n"));
        assertReason(ReplyParseException.Kind.UNSUPPORTED, () -> databases("ok \n"));
        assertReason(ReplyParseException.Kind.MALFORMED, () -> databases("dbs-list \ndemo\nok \n"));
        assertReason(ReplyParseException.Kind.MALFORMED, () -> databases("dbs-list \ndemo : \nok \n"));
    }

    @Test
    void startsOverOnBegin() throws Exception {
        ListDbsParser parser = new ListDbsParser();
        feed(parser, "dbs-list \ndemo\nok \n");
        assertThatThrownBy(parser::finish).isInstanceOf(ReplyParseException.class);
        feed(parser, SpecFixtures.LIST_DBS);
        assertThat(parser.finish()).isEqualTo(3);
        assertThatThrownBy(parser::finish).isInstanceOf(IllegalStateException.class);
    }
}
