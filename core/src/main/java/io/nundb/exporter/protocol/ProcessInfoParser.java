package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Accumulates a {@code debug process-info} reply (spec §3.4): {@code "process-info "} then {@code
 * "process_id: <u128>"}, the node's process start in ms since the epoch (the lowest wins elections).
 * Other lines after the prefix are ignored.
 *
 * <p>Use per reply: {@link #begin()}, {@link #accept(ByteBuf)} for each {@code
 * PAYLOAD} line, {@link #finish()} at the {@code OK} status. Does not allocate unless the reply is
 * rejected.
 *
 * <p>Thread-safety: not thread-safe; one instance per node, used on the node's event loop.
 */
public final class ProcessInfoParser extends LineAccumulator {
    private static final byte[] PREFIX = NunDbReplyDecoder.ascii("process-info");
    private static final byte[] PROCESS_ID = NunDbReplyDecoder.ascii("process_id");

    private long processIdMillis;

    public ProcessInfoParser() {
        super(PREFIX, "debug process-info");
    }

    @Override
    void reset() {
        processIdMillis = -1;
    }

    @Override
    void field(ByteBuf line, int from, int to) {
        int colon = WireText.indexOf(line, from, to, (byte) ':');
        if (colon < 0 || !WireText.regionEquals(line, from, WireText.trimSpacesBack(line, from, colon), PROCESS_ID)) {
            return;
        }
        long value = WireText.parseUnsignedLong(
                line, WireText.skipSpaces(line, colon + 1, to), WireText.trimSpacesBack(line, colon + 1, to));
        if (value < 0) {
            malformed("debug process-info: process_id is not an integer below 2^63");
        } else {
            processIdMillis = value;
        }
    }

    /**
     * Ends the reply.
     *
     * @return the process id: start time in ms since the epoch
     * @throws ReplyParseException unsupported without the {@code process-info} prefix; malformed
     *     without a valid {@code process_id}
     */
    public long finish() throws ReplyParseException {
        end();
        if (processIdMillis < 0) {
            throw ReplyParseException.malformed("debug process-info: no process_id");
        }
        return processIdMillis;
    }
}
