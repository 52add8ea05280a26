package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsStateParserTest {
    /** The payload line of a full reply, through the decoder. */
    static String payloadOf(String reply) {
        List<DecodedLine> lines = DecodedLine.decode(DecodedLine.bytes(reply), NunDbDecoderConfig.DEFAULT);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).kind()).isEqualTo(NunDbLine.Kind.PAYLOAD);
        assertThat(lines.get(1).kind()).isEqualTo(NunDbLine.Kind.OK);
        return lines.get(0).content();
    }

    static MetricsState parse(String line) throws ReplyParseException {
        ByteBuf buf = Unpooled.copiedBuffer(line, StandardCharsets.ISO_8859_1);
        try {
            int reader = buf.readerIndex();
            MetricsState state = MetricsStateParser.parse(buf);
            assertThat(buf.readerIndex()).isEqualTo(reader);
            return state;
        } finally {
            buf.release();
        }
    }

    static String line(String replication, String query) {
        return "metrics-state pending_ops: 3, op_log_file_size: 125, op_log_count: 5,replication_time_moving_avg: "
                + replication + ", get_query_time_moving_avg: " + query;
    }

    @Test
    void parsesEveryFixture() throws Exception {
        assertThat(parse(payloadOf(SpecFixtures.STANDALONE_SESSION.get(1).reply())))
                .isEqualTo(new MetricsState(0, 0, 0, 0.0, 0.0));
        assertThat(parse(payloadOf(SpecFixtures.METRICS_STATE_PRIMARY)))
                .isEqualTo(new MetricsState(0, 3100, 124, 2.419368907874114, 0.0005641915184967369));
        assertThat(parse(payloadOf(SpecFixtures.METRICS_STATE_EXPONENTS)))
                .isEqualTo(new MetricsState(3, 125, 5, 2.573621751988715e-18, 5.723407763652384e-6));
        String pipelined = DecodedLine.decode(
                        DecodedLine.bytes(SpecFixtures.PIPELINED_POLL_REPLY), NunDbDecoderConfig.DEFAULT)
                .get(0)
                .content();
        assertThat(parse(pipelined)).isEqualTo(new MetricsState(0, 0, 0, 0.0, 0.0));
    }

    @Test
    void parsesEveryFloatFormRustPrints() throws Exception {
        String[] forms = {
            "0.0",
            "1.0",
            "-0.0",
            "147.0",
            "1043.0",
            "54.80296410838878",
            "1.8110653344759675",
            "0.0001",
            "1e16",
            "1e-7",
            "7.003404479057364e-5",
            "0.00007003404479057364",
            "2.573621751988715e-18",
            "1.7976931348623157e308",
            "5e-324",
            "2.2250738585072014e-308",
            "123456789012345680000.0",
            "9007199254740993.0"
        };
        for (String form : forms) {
            MetricsState state = parse(line(form, form));
            assertThat(state.replicationTimeEmaMillis()).as(form).isEqualTo(Double.parseDouble(form));
            assertThat(Double.doubleToRawLongBits(state.queryTimeEmaMillis()))
                    .as(form)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(form)));
        }
        assertThat(parse(line("inf", "-inf")).replicationTimeEmaMillis()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(parse(line("inf", "-inf")).queryTimeEmaMillis()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(parse(line("NaN", "0.0")).replicationTimeEmaMillis()).isNaN();
    }

    @Test
    void parsesRandomDoublesExactlyInShortestAndPlainForms() throws Exception {
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            double d = switch (i % 4) {
                case 0 -> random.nextDouble() * 1000;
                case 1 -> Double.longBitsToDouble(random.nextLong() & Long.MAX_VALUE);
                case 2 -> random.nextInt(100_000) / 1000.0;
                default -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            };
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                continue;
            }
            String shortest = Double.toString(d);
            if (i % 8 == 7) {
                // 18 significant digits: not a shortest form, still within the allocation-free paths.
                shortest = String.format(java.util.Locale.ROOT, "%.17e", d);
                d = Double.parseDouble(shortest);
            }
            String plain = new BigDecimal(shortest).toPlainString();
            ByteBuf buf = Unpooled.copiedBuffer(line(shortest, plain), StandardCharsets.US_ASCII);
            MetricsState state = MetricsStateParser.parse(buf);
            buf.release();
            assertThat(state.replicationTimeEmaMillis()).as(shortest).isEqualTo(d);
            assertThat(state.queryTimeEmaMillis()).as(plain).isEqualTo(d);
        }
    }

    @Test
    void findsFieldsByNameInAnyOrderWithOrWithoutSpaces() throws Exception {
        assertThat(parse("metrics-state get_query_time_moving_avg:1.5,op_log_count : 7 ,  pending_ops: 2,"
                        + "replication_time_moving_avg: 3.0, op_log_file_size: 175, future_field: x y z"))
                .isEqualTo(new MetricsState(2, 175, 7, 3.0, 1.5));
    }

    @Test
    void reportsAReplyWithoutItsPrefixAsUnsupported() {
        for (String line : List.of(
                "oplog-state pending_ops: 0", "", "error Not auth", "metrics-statepending_ops: 0", "Metrics-state x")) {
            assertThatThrownBy(() -> parse(line))
                    .as(line)
                    .isInstanceOfSatisfying(
                            ReplyParseException.class,
                            e -> assertThat(e.kind()).isEqualTo(ReplyParseException.Kind.UNSUPPORTED));
        }
    }

    @Test
    void reportsGarbageFieldsAsProtocolErrors() {
        for (String line : List.of(
                "metrics-state",
                "metrics-state ",
                line("0.0", "1.2.3"),
                line("0x1p3", "0.0"),
                line("Infinity", "0.0"),
                line("1e", "0.0"),
                line("1.0d", "0.0"),
                line("", "0.0"),
                line("0.0", "0.0").replace("pending_ops: 3", "pending_ops: -3"),
                line("0.0", "0.0").replace("pending_ops: 3", "pending_ops: 99999999999999999999"),
                line("0.0", "0.0").replace("op_log_count: 5", "op_log_count 5"),
                line("0.0", "0.0").replace("op_log_count: 5,", ""))) {
            assertThatThrownBy(() -> parse(line))
                    .as(line)
                    .isInstanceOfSatisfying(
                            ReplyParseException.class,
                            e -> assertThat(e.kind()).isEqualTo(ReplyParseException.Kind.MALFORMED));
        }
    }

    @Test
    void parsesSeventeenDigitFloatsAllocatingOnlyTheRecord() throws Exception {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        String payload = line("1.8110653344759675", "7.003404479057364e-5");
        // A plain wrapped heap buffer: not leak-tracked, so access records do not allocate.
        ByteBuf buf = Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.ISO_8859_1));
        MetricsState[] sink = new MetricsState[1];
        for (int i = 0; i < 20_000; i++) {
            sink[0] = MetricsStateParser.parse(buf);
        }
        int ops = 20_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ops; i++) {
            sink[0] = MetricsStateParser.parse(buf);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The record is 56 bytes (header and five 8-byte fields); Double.parseDouble, the slow path for
        // floats beyond the exact fast path, would add over 100 bytes per float.
        assertThat(allocated).as("bytes allocated by %d parses", ops).isLessThan(64L * ops);
        assertThat(sink[0].replicationTimeEmaMillis()).isEqualTo(1.8110653344759675);
        buf.release();
    }

    @Test
    void neverPutsReplyBytesInTheErrorMessage() {
        assertThatThrownBy(() -> parse(line("secret-value", "0.0")))
                .isInstanceOf(ReplyParseException.class)
                .hasMessageNotContaining("secret");
    }
}
