package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Parses the {@code metrics-state} payload line (spec §3.1):
 * {@code metrics-state pending_ops: P, op_log_file_size: S, op_log_count: C,replication_time_moving_avg:
 * R, get_query_time_moving_avg: Q}. Fields are found by name, in any order, with or without spaces
 * around {@code ,} and {@code :}; unknown fields are ignored. The integers are plain decimals; the
 * floats are in any form Rust's {@code {:?}} prints ({@code 0.0}, {@code 1e16}, {@code
 * 7.003404479057364e-5}, {@code inf}, {@code -inf}, {@code NaN}).
 *
 * <p>{@link #parse(ByteBuf)} allocates the returned {@link MetricsState} and nothing else, unless a
 * float needs more than the exact fast path (more than 2^53 in its mantissa or a decimal exponent
 * beyond ±22: then {@link Double#parseDouble} is used) or the reply is rejected. The node client calls
 * it once per poll and publishes the record in the node's snapshot, so the record is the one allocation
 * the poll path needs; {@code ReplyParseBenchmark.metricsState} gates exactly this call.
 *
 * <p>Thread-safety: stateless.
 */
public final class MetricsStateParser {
    private static final byte[] PREFIX = NunDbReplyDecoder.ascii("metrics-state");
    private static final byte[] PENDING_OPS = NunDbReplyDecoder.ascii("pending_ops");
    private static final byte[] OP_LOG_FILE_SIZE = NunDbReplyDecoder.ascii("op_log_file_size");
    private static final byte[] OP_LOG_COUNT = NunDbReplyDecoder.ascii("op_log_count");
    private static final byte[] REPLICATION_TIME = NunDbReplyDecoder.ascii("replication_time_moving_avg");
    private static final byte[] QUERY_TIME = NunDbReplyDecoder.ascii("get_query_time_moving_avg");
    private static final int ALL_FIELDS = 0b11111;

    private MetricsStateParser() {}

    /**
     * Parses one payload line (a {@link NunDbLine.Kind#PAYLOAD} line's content). The buffer's indices
     * are not moved and it is not released.
     *
     * @throws ReplyParseException unsupported if the line does not start with {@code metrics-state};
     *     malformed if a field is missing or is not a number
     */
    public static MetricsState parse(ByteBuf content) throws ReplyParseException {
        int from = content.readerIndex();
        int to = content.writerIndex();
        if (!NunDbReplyDecoder.startsWith(content, from, to - from, PREFIX)) {
            throw ReplyParseException.unsupported("metrics-state: missing prefix");
        }
        int i = from + PREFIX.length;
        if (i < to && content.getByte(i) != ' ') {
            throw ReplyParseException.unsupported("metrics-state: missing prefix");
        }
        long pending = 0;
        long size = 0;
        long count = 0;
        double replication = 0;
        double query = 0;
        int seen = 0;
        while (i < to) {
            int comma = WireText.indexOf(content, i, to, (byte) ',');
            int partEnd = comma < 0 ? to : comma;
            int start = WireText.skipSpaces(content, i, partEnd);
            int end = WireText.trimSpacesBack(content, start, partEnd);
            if (start < end) {
                int colon = WireText.indexOf(content, start, end, (byte) ':');
                if (colon < 0) {
                    throw ReplyParseException.malformed("metrics-state: field without ':'");
                }
                int nameEnd = WireText.trimSpacesBack(content, start, colon);
                int valueStart = WireText.skipSpaces(content, colon + 1, end);
                if (WireText.regionEquals(content, start, nameEnd, PENDING_OPS)) {
                    pending = integer(content, valueStart, end, "pending_ops");
                    seen |= 1;
                } else if (WireText.regionEquals(content, start, nameEnd, OP_LOG_FILE_SIZE)) {
                    size = integer(content, valueStart, end, "op_log_file_size");
                    seen |= 2;
                } else if (WireText.regionEquals(content, start, nameEnd, OP_LOG_COUNT)) {
                    count = integer(content, valueStart, end, "op_log_count");
                    seen |= 4;
                } else if (WireText.regionEquals(content, start, nameEnd, REPLICATION_TIME)) {
                    replication = WireText.parseDouble(content, valueStart, end, "replication_time_moving_avg");
                    seen |= 8;
                } else if (WireText.regionEquals(content, start, nameEnd, QUERY_TIME)) {
                    query = WireText.parseDouble(content, valueStart, end, "get_query_time_moving_avg");
                    seen |= 16;
                }
            }
            i = partEnd + 1;
        }
        if (seen != ALL_FIELDS) {
            throw ReplyParseException.malformed("metrics-state: missing field");
        }
        return new MetricsState(pending, size, count, replication, query);
    }

    private static long integer(ByteBuf content, int from, int to, String field) throws ReplyParseException {
        long value = WireText.parseUnsignedLong(content, from, to);
        if (value < 0) {
            throw ReplyParseException.malformed("metrics-state: " + field + " is not an unsigned integer");
        }
        return value;
    }
}
