package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * One classified line of a Nun-db TCP reply stream, produced by {@link NunDbReplyDecoder}. The content
 * excludes the trailing {@code \n} (and, for status lines, the status word and the trailing space).
 *
 * <ul>
 *   <li>{@link Kind#PAYLOAD}: a payload line of the reply at the head of the queue, for example
 *       {@code metrics-state pending_ops: ...}. The empty line ending {@code metrics-state} is not
 *       emitted.
 *   <li>{@link Kind#OK}: the status line {@code "ok \n"} (also the greeting). Content is empty.
 *   <li>{@link Kind#ERROR}: a status line {@code "error <msg> \n"}, or the end of the three-line
 *       sequences {@code no-db-selected} and {@code permission denied} (spec §1.3); content is the
 *       message, for example {@code Not auth} or {@code no-db-selected}.
 *   <li>{@link Kind#CHANGED}, {@link Kind#CHANGED_VERSION}, {@link Kind#REMOVED}: watch pushes, which
 *       can arrive between any two lines of a reply; content is the line after the push word and its
 *       space ({@code <key> <value>}, {@code <key> <version> <value>}, {@code <key>}).
 * </ul>
 *
 * <p>Ownership: the receiver releases the line (it owns the content buffer).
 *
 * <p>Thread-safety: not thread-safe; confined to the channel's event loop.
 */
public final class NunDbLine extends AbstractReferenceCounted {
    /** What a line is. */
    public enum Kind {
        PAYLOAD,
        OK,
        ERROR,
        CHANGED,
        CHANGED_VERSION,
        REMOVED;

        /** Whether this is a push that does not belong to any request. */
        public boolean isPush() {
            return this == CHANGED || this == CHANGED_VERSION || this == REMOVED;
        }

        /** Whether this line ends the reply at the head of the queue. */
        public boolean isStatus() {
            return this == OK || this == ERROR;
        }
    }

    private final Kind kind;
    private final ByteBuf content;
    private final boolean truncated;

    public NunDbLine(Kind kind, ByteBuf content, boolean truncated) {
        this.kind = kind;
        this.content = content;
        this.truncated = truncated;
    }

    public Kind kind() {
        return kind;
    }

    /** The line's bytes without {@code \n}; valid until this line is released. */
    public ByteBuf content() {
        return content;
    }

    /** Whether the line was longer than the decoder's limit and was cut in the middle. */
    public boolean truncated() {
        return truncated;
    }

    @Override
    protected void deallocate() {
        content.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        content.touch(hint);
        return this;
    }

    /** Never prints payload bytes: they may hold user data (spec: reply payloads are never logged). */
    @Override
    public String toString() {
        return "NunDbLine(" + kind + ", " + content.readableBytes() + " bytes" + (truncated ? ", truncated)" : ")");
    }
}
