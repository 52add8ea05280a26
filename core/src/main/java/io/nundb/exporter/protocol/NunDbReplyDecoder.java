package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Splits the bytes a Nun-db node sends into {@link NunDbLine}s and classifies them (spec §1.3). It
 * assumes neither one reply per read nor one read per reply: a line may arrive in any number of
 * reads, and one read may hold many lines.
 *
 * <ul>
 *   <li>{@code "ok \n"} is {@link NunDbLine.Kind#OK} (also the greeting); {@code "error <msg> \n"} is
 *       {@link NunDbLine.Kind#ERROR} with content {@code <msg>} (which keeps any {@code \r}).
 *   <li>The three-line sequences {@code "error no-db-selected\n" "error error no-db-selected\n" " \n"}
 *       and {@code "permission denied\n" "error permission denied\n" " \n"} become one {@code ERROR}
 *       line, content {@code no-db-selected} or {@code permission denied}, emitted at the lone-space
 *       line; the first two lines are not emitted. Pushes between the first and the second line (they
 *       are separate server messages) are emitted as they come.
 *   <li>{@code "error no-db-selected\n"} followed by {@code "ok \n"} ({@code debug pendding-conflitcts}
 *       without a database, where {@code debug} always ends with {@code ok}): the first line is emitted
 *       as a {@code PAYLOAD} line with its verbatim content, then {@code OK}, so every request still
 *       gets exactly one status line. The same holds for {@code permission denied}. The first line of
 *       a sequence followed by anything else is also released as {@code PAYLOAD}.
 *   <li>Empty lines (the blank line ending {@code metrics-state}) are not emitted.
 *   <li>{@code changed }, {@code changed-version } and {@code removed } lines are pushes (content after
 *       the word and its space), unless {@link NunDbDecoderConfig#pushes()} is off.
 *   <li>Everything else is {@code PAYLOAD}, unmodified: a CRLF line keeps its {@code \r}, invalid
 *       UTF-8 is passed through, and a lone {@code " "} outside a sequence is payload.
 * </ul>
 *
 * <p>Line limits: a line longer than its limit ({@link NunDbDecoderConfig}) becomes its first
 * {@code ceil(limit / 2)} bytes followed by its last {@code floor(limit / 2)} bytes, flagged {@link
 * NunDbLine#truncated()} and counted in {@link #truncatedLines()}. Keeping the tail lets a {@code debug
 * pending-ops} entry with a huge message still be parsed from the right. The decoder never holds more
 * than the limit of an over-long line plus one read. Which limit applies is decided by the line's first
 * bytes ({@code "cluster-state "} gets the larger one).
 *
 * <p>Lines are {@code readRetainedSlice}s of the cumulation (no copy) except truncated lines and the
 * rare sequence cases. A partial line leaves the reader index untouched; the scan resumes where the
 * previous read stopped instead of rescanning the line.
 *
 * <pre>{@code
 * p.addLast("decoder", new NunDbReplyDecoder(NunDbDecoderConfig.DEFAULT));
 * p.addLast("encoder", NunDbRequestEncoder.INSTANCE);
 * p.addLast("client", nodeClientHandler); // receives NunDbLine, releases it
 * }</pre>
 *
 * <p>Thread-safety: per channel (never {@code @Sharable}), confined to the channel's event loop;
 * {@link #truncatedLines()} must be read on that loop too.
 */
public final class NunDbReplyDecoder extends ByteToMessageDecoder {
    private static final byte[] OK = ascii("ok ");
    private static final byte[] ERROR_PREFIX = ascii("error ");
    private static final byte[] NO_DB_1 = ascii("error no-db-selected");
    private static final byte[] NO_DB_2 = ascii("error error no-db-selected");
    private static final int NO_DB_2_MESSAGE_OFFSET = "error error ".length();
    private static final byte[] PERMISSION_1 = ascii("permission denied");
    private static final byte[] PERMISSION_2 = ascii("error permission denied");
    private static final int PERMISSION_2_MESSAGE_OFFSET = "error ".length();
    private static final byte[] CHANGED = ascii("changed ");
    private static final byte[] CHANGED_VERSION = ascii("changed-version ");
    private static final byte[] REMOVED = ascii("removed ");
    private static final byte[] CLUSTER_STATE = ascii("cluster-state ");

    /** Where the decoder is in a three-line error sequence. */
    private enum Sequence {
        NONE,
        NO_DB_FIRST,
        NO_DB_SECOND,
        PERMISSION_FIRST,
        PERMISSION_SECOND
    }

    private final NunDbDecoderConfig config;

    /** Bytes after the reader index already scanned for {@code \n} without finding one. */
    private int scanned;
    /** Non-null while skipping the middle of an over-long line: holds its head, then gets its tail. */
    private ByteBuf truncating;

    private int truncatingTail;
    private Sequence sequence = Sequence.NONE;
    /** The first line of a sequence (in *_FIRST) or the error message (in *_SECOND); owned. */
    private ByteBuf held;

    private long truncatedLines;

    public NunDbReplyDecoder(NunDbDecoderConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Lines cut because they exceeded their limit, since this decoder was created. */
    public long truncatedLines() {
        return truncatedLines;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (truncating != null) {
                if (!finishTruncatedLine(in, out)) {
                    return;
                }
                continue;
            }
            int start = in.readerIndex();
            int end = in.writerIndex();
            int eol = in.forEachByte(start + scanned, end - start - scanned, ByteProcessor.FIND_LF);
            if (eol < 0) {
                int readable = end - start;
                int limit = limitFor(in, start, readable);
                if (readable > limit) {
                    startTruncatedLine(ctx, in, limit);
                } else {
                    scanned = readable;
                }
                return;
            }
            scanned = 0;
            int length = eol - start;
            int limit = limitFor(in, start, length);
            if (length > limit) {
                ByteBuf line = ctx.alloc().heapBuffer(limit, limit);
                int head = limit - limit / 2;
                line.writeBytes(in, start, head);
                line.writeBytes(in, eol - limit / 2, limit / 2);
                in.readerIndex(eol + 1);
                truncatedLines++;
                classify(line, true, out);
            } else {
                ByteBuf line = in.readRetainedSlice(length);
                in.skipBytes(1);
                classify(line, false, out);
            }
        }
    }

    private int limitFor(ByteBuf in, int start, int available) {
        if (available > config.maxLineBytes() && startsWith(in, start, available, CLUSTER_STATE)) {
            return config.maxClusterStateLineBytes();
        }
        return config.maxLineBytes();
    }

    /** No {@code \n} in more than {@code limit} bytes: keep the head, then only the last tail bytes. */
    private void startTruncatedLine(ChannelHandlerContext ctx, ByteBuf in, int limit) {
        int head = limit - limit / 2;
        truncatingTail = limit / 2;
        truncating = ctx.alloc().heapBuffer(limit, limit);
        truncating.writeBytes(in, in.readerIndex(), head);
        in.readerIndex(in.writerIndex() - truncatingTail);
        scanned = truncatingTail;
        truncatedLines++;
    }

    /** Returns true once the {@code \n} of the line being truncated was found and the line emitted. */
    private boolean finishTruncatedLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        // Everything before the reader index is the skipped middle; at most truncatingTail bytes are
        // kept unread, the candidates for the tail.
        int eol = in.forEachByte(start + scanned, end - start - scanned, ByteProcessor.FIND_LF);
        if (eol < 0) {
            int keepFrom = Math.max(start, end - truncatingTail);
            in.readerIndex(keepFrom);
            scanned = end - keepFrom;
            return false;
        }
        int tailFrom = Math.max(start, eol - truncatingTail);
        truncating.writeBytes(in, tailFrom, eol - tailFrom);
        in.readerIndex(eol + 1);
        scanned = 0;
        ByteBuf line = truncating;
        truncating = null;
        classify(line, true, out);
        return true;
    }

    private void classify(ByteBuf line, boolean truncated, List<Object> out) {
        int length = line.readableBytes();
        if (sequence != Sequence.NONE) {
            if (continueSequence(line, truncated, out)) {
                return;
            }
        }
        if (length == 0) {
            line.release();
            return;
        }
        if (equalsBytes(line, OK)) {
            line.release();
            out.add(new NunDbLine(NunDbLine.Kind.OK, Unpooled.EMPTY_BUFFER, truncated));
            return;
        }
        if (!truncated && equalsBytes(line, NO_DB_1)) {
            held = line;
            sequence = Sequence.NO_DB_FIRST;
            return;
        }
        if (!truncated && equalsBytes(line, PERMISSION_1)) {
            held = line;
            sequence = Sequence.PERMISSION_FIRST;
            return;
        }
        if (length > ERROR_PREFIX.length
                && startsWith(line, ERROR_PREFIX)
                && line.getByte(line.readerIndex() + length - 1) == ' ') {
            emitSlice(
                    NunDbLine.Kind.ERROR, line, ERROR_PREFIX.length, length - ERROR_PREFIX.length - 1, truncated, out);
            return;
        }
        if (config.pushes()) {
            if (startsWith(line, CHANGED)) {
                emitSlice(NunDbLine.Kind.CHANGED, line, CHANGED.length, length - CHANGED.length, truncated, out);
                return;
            }
            if (startsWith(line, CHANGED_VERSION)) {
                emitSlice(
                        NunDbLine.Kind.CHANGED_VERSION,
                        line,
                        CHANGED_VERSION.length,
                        length - CHANGED_VERSION.length,
                        truncated,
                        out);
                return;
            }
            if (startsWith(line, REMOVED)) {
                emitSlice(NunDbLine.Kind.REMOVED, line, REMOVED.length, length - REMOVED.length, truncated, out);
                return;
            }
        }
        out.add(new NunDbLine(NunDbLine.Kind.PAYLOAD, line, truncated));
    }

    /**
     * Handles {@code line} while inside a three-line sequence. Returns true if the line was consumed;
     * false if the sequence ended (its pending line emitted) and {@code line} must be classified
     * normally.
     */
    private boolean continueSequence(ByteBuf line, boolean truncated, List<Object> out) {
        switch (sequence) {
            case NO_DB_FIRST, PERMISSION_FIRST -> {
                boolean noDb = sequence == Sequence.NO_DB_FIRST;
                if (!truncated && equalsBytes(line, noDb ? NO_DB_2 : PERMISSION_2)) {
                    held.release();
                    int offset = noDb ? NO_DB_2_MESSAGE_OFFSET : PERMISSION_2_MESSAGE_OFFSET;
                    held = line.retainedSlice(line.readerIndex() + offset, line.readableBytes() - offset);
                    line.release();
                    sequence = noDb ? Sequence.NO_DB_SECOND : Sequence.PERMISSION_SECOND;
                    return true;
                }
                if (config.pushes() && isPush(line)) {
                    // A push is a message of its own and may sit between the first and second line.
                    sequence = Sequence.NONE;
                    classify(line, truncated, out);
                    sequence = noDb ? Sequence.NO_DB_FIRST : Sequence.PERMISSION_FIRST;
                    return true;
                }
                flushHeld(out);
                return false;
            }
            case NO_DB_SECOND, PERMISSION_SECOND -> {
                boolean loneSpace = line.readableBytes() == 1 && line.getByte(line.readerIndex()) == ' ';
                flushHeld(out);
                if (loneSpace) {
                    line.release();
                    return true;
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /** Emits what the current sequence holds (payload for a first line, error for a second) and ends it. */
    private void flushHeld(List<Object> out) {
        NunDbLine.Kind kind = sequence == Sequence.NO_DB_FIRST || sequence == Sequence.PERMISSION_FIRST
                ? NunDbLine.Kind.PAYLOAD
                : NunDbLine.Kind.ERROR;
        out.add(new NunDbLine(kind, held, false));
        held = null;
        sequence = Sequence.NONE;
    }

    private boolean isPush(ByteBuf line) {
        return startsWith(line, CHANGED) || startsWith(line, CHANGED_VERSION) || startsWith(line, REMOVED);
    }

    private static void emitSlice(
            NunDbLine.Kind kind, ByteBuf line, int offset, int length, boolean truncated, List<Object> out) {
        ByteBuf content = line.retainedSlice(line.readerIndex() + offset, length);
        line.release();
        out.add(new NunDbLine(kind, content, truncated));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        // Complete lines are decoded; a partial last line (no \n) is not a line and is dropped.
        decode(ctx, in, out);
        if (sequence != Sequence.NONE) {
            flushHeld(out);
        }
        releaseState();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseState();
    }

    private void releaseState() {
        if (truncating != null) {
            truncating.release();
            truncating = null;
        }
        if (held != null) {
            held.release();
            held = null;
        }
        sequence = Sequence.NONE;
        scanned = 0;
    }

    static boolean startsWith(ByteBuf buf, byte[] prefix) {
        return startsWith(buf, buf.readerIndex(), buf.readableBytes(), prefix);
    }

    static boolean startsWith(ByteBuf buf, int index, int available, byte[] prefix) {
        if (available < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(index + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsBytes(ByteBuf buf, byte[] expected) {
        return buf.readableBytes() == expected.length && startsWith(buf, expected);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
