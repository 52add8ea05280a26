package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The shape shared by the parsers of multi-line replies: {@link #begin()}, {@link #accept(ByteBuf)}
 * for each {@code PAYLOAD} line (never throws), then a {@code finish()} that returns the result or
 * throws the first {@link ReplyParseException} recorded. The first line must start with the reply's
 * prefix word followed by a space or the end of the line; the rest of that line and every further
 * non-empty line is handed to {@link #field}.
 *
 * <p>Thread-safety: not thread-safe; confined to its caller's thread.
 */
public abstract class LineAccumulator {
    private final byte[] prefix;
    private final String command;
    private boolean started;
    private long lines;
    private boolean sawPrefix;
    private String failure;

    LineAccumulator(byte[] prefix, String command) {
        this.prefix = prefix;
        this.command = command;
    }

    /** Starts a new reply; forgets the previous one. */
    public final void begin() {
        started = true;
        lines = 0;
        sawPrefix = false;
        failure = null;
        reset();
    }

    /** Feeds one payload line (without {@code \n}); indices are not moved and it is not released. */
    public final void accept(ByteBuf line) {
        if (!started) {
            throw new IllegalStateException("accept before begin");
        }
        int from = line.readerIndex();
        int to = line.writerIndex();
        if (lines++ == 0) {
            if (!NunDbReplyDecoder.startsWith(line, from, to - from, prefix)
                    || (to > from + prefix.length && line.getByte(from + prefix.length) != ' ')) {
                return;
            }
            sawPrefix = true;
            from = WireText.skipSpaces(line, from + prefix.length, to);
        }
        if (sawPrefix && failure == null && from < to) {
            field(line, from, to);
        }
    }

    /** Clears the result of the previous reply. */
    abstract void reset();

    /** One non-empty line, or the rest of the prefix line, as an absolute range of {@code line}. */
    abstract void field(ByteBuf line, int from, int to);

    /** Records that the reply is malformed; later lines are ignored. */
    final void malformed(String message) {
        if (failure == null) {
            failure = message;
        }
    }

    /** Ends the reply; throws what was recorded. */
    final void end() throws ReplyParseException {
        if (!started) {
            throw new IllegalStateException("finish before begin");
        }
        started = false;
        if (!sawPrefix) {
            throw ReplyParseException.unsupported(command + ": missing prefix");
        }
        if (failure != null) {
            throw ReplyParseException.malformed(failure);
        }
    }
}
