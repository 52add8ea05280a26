package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Aggregates a {@code debug pending-ops} reply (spec §3.4) per member while it streams in, without
 * keeping entries. The reply is {@code "pending-ops "} followed by the first entry on the same line,
 * then one entry per line:
 * {@code message: "<cmd>", opp_id: <u64>, ack_count: <n>, replicate_count: <n>, replications: ,
 * <member>:<bool>, ...}.
 *
 * <p>Each entry is parsed from the right, because the message embeds user data unescaped (it may
 * contain {@code ", opp_id: "} or {@code ", replications: "}): the members follow the last {@code ",
 * replications: "}; the message ends at the last {@code "} before it; the fields in between are found
 * by name ({@code opp_id} is required). A member token is split at its last {@code :} (names contain
 * colons). Entries and members may come in any order. An entry that does not parse is counted in
 * {@link #malformedEntries()}, never thrown.
 *
 * <p>For every member flagged {@code false} the entry counts as <em>waiting</em> if the member is in
 * the primary's view and the op id (ns since the epoch) is at or after the member's current process
 * start (or that start is unknown); otherwise as <em>orphaned</em>: it can never be acked (spec §5.5,
 * Appendix B). Every member named in any entry appears in the snapshot, with zero counts if it has
 * acked everything listed.
 *
 * <p>Use per reply: {@link #begin(MemberClassifier)}, {@link #accept(ByteBuf)} for each {@code
 * PAYLOAD} line, {@link #finish(long)} at the {@code OK} status. {@code accept} never throws; a
 * missing {@code pending-ops} prefix is reported by {@code finish}. The classifier is asked once per
 * member per reply. Allocates per new member (its name and counters), not per entry.
 *
 * <p>Thread-safety: not thread-safe; one instance per node, used on the node's event loop.
 */
public final class PendingOpsAggregator {
    /** Whether a member's pending entries can still be acked. */
    public interface MemberClassifier {
        /** Returned by {@link #processStartNanos(String)} when the member's start is not known. */
        long UNKNOWN_START = Long.MIN_VALUE;

        /** The member's current process start, ns since the epoch, or {@link #UNKNOWN_START}. */
        long processStartNanos(String member);

        /** Whether the member is in the primary's current view. */
        boolean inView(String member);
    }

    /**
     * Distinct members tracked per reply. A cluster has a handful; the cap bounds memory, CPU (members
     * are found by a linear scan) and label cardinality when a node sends garbage. Entries naming an
     * untracked member beyond it count as malformed.
     */
    public static final int MAX_MEMBERS = 256;

    private static final byte[] PREFIX = NunDbReplyDecoder.ascii("pending-ops");
    private static final byte[] MESSAGE = NunDbReplyDecoder.ascii("message: \"");
    private static final byte[] REPLICATIONS = NunDbReplyDecoder.ascii(", replications: ");
    private static final byte[] OPP_ID = NunDbReplyDecoder.ascii("opp_id");
    private static final byte[] TRUE = NunDbReplyDecoder.ascii("true");
    private static final byte[] FALSE = NunDbReplyDecoder.ascii("false");

    /** Counters of one member within one reply. */
    private static final class MemberCounts {
        final String name;
        final byte[] nameBytes;
        final long startNanos;
        final boolean inView;
        long waiting;
        long orphaned;
        long oldestWaiting = -1;

        MemberCounts(String name, byte[] nameBytes, long startNanos, boolean inView) {
            this.name = name;
            this.nameBytes = nameBytes;
            this.startNanos = startNanos;
            this.inView = inView;
        }
    }

    private final List<MemberCounts> members = new ArrayList<>();
    private MemberClassifier classifier;
    private boolean started;
    private boolean sawPrefix;
    private long malformedEntries;
    private long replyBytes;
    private long lines;

    /** Starts a new reply; forgets the previous one. */
    public void begin(MemberClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        members.clear();
        started = true;
        sawPrefix = false;
        malformedEntries = 0;
        replyBytes = 0;
        lines = 0;
    }

    /**
     * Feeds one payload line (without {@code \n}). The first line must start with {@code
     * pending-ops}. The buffer's indices are not moved and it is not released.
     */
    public void accept(ByteBuf line) {
        if (!started) {
            throw new IllegalStateException("accept before begin");
        }
        int from = line.readerIndex();
        int to = line.writerIndex();
        replyBytes += to - from + 1;
        if (lines++ == 0) {
            if (!NunDbReplyDecoder.startsWith(line, from, to - from, PREFIX)
                    || (to > from + PREFIX.length && line.getByte(from + PREFIX.length) != ' ')) {
                return; // sawPrefix stays false: finish() reports unsupported
            }
            sawPrefix = true;
            from = WireText.skipSpaces(line, from + PREFIX.length, to);
            if (from == to) {
                return; // "pending-ops " alone: nothing pending
            }
        } else if (!sawPrefix) {
            return;
        }
        if (!entry(line, from, to)) {
            malformedEntries++;
        }
    }

    private boolean entry(ByteBuf line, int from, int to) {
        if (!NunDbReplyDecoder.startsWith(line, from, to - from, MESSAGE)) {
            return false;
        }
        int replications = WireText.lastIndexOf(line, from + MESSAGE.length, to, REPLICATIONS);
        if (replications < 0) {
            return false;
        }
        int quote = WireText.lastIndexOf(line, from + MESSAGE.length, replications, (byte) '"');
        if (quote < 0) {
            return false;
        }
        long oppId = -1;
        int i = quote + 1;
        while (i < replications) {
            int comma = WireText.indexOf(line, i, replications, (byte) ',');
            int partEnd = comma < 0 ? replications : comma;
            int start = WireText.skipSpaces(line, i, partEnd);
            int end = WireText.trimSpacesBack(line, start, partEnd);
            if (start < end) {
                int colon = WireText.indexOf(line, start, end, (byte) ':');
                if (colon < 0) {
                    return false;
                }
                int nameEnd = WireText.trimSpacesBack(line, start, colon);
                if (WireText.regionEquals(line, start, nameEnd, OPP_ID)) {
                    oppId = WireText.parseUnsignedLong(line, WireText.skipSpaces(line, colon + 1, end), end);
                    if (oppId < 0) {
                        return false;
                    }
                }
            }
            i = partEnd + 1;
        }
        if (oppId < 0) {
            return false;
        }
        // Validate every member token before counting any, so a malformed entry counts nothing.
        int membersFrom = replications + REPLICATIONS.length;
        if (!forEachMember(line, membersFrom, to, oppId, false)) {
            return false;
        }
        forEachMember(line, membersFrom, to, oppId, true);
        return true;
    }

    private boolean forEachMember(ByteBuf line, int from, int to, long oppId, boolean count) {
        int i = from;
        while (i < to) {
            int comma = WireText.indexOf(line, i, to, (byte) ',');
            int partEnd = comma < 0 ? to : comma;
            int start = WireText.skipSpaces(line, i, partEnd);
            int end = WireText.trimSpacesBack(line, start, partEnd);
            if (start < end) {
                int colon = WireText.lastIndexOf(line, start, end, (byte) ':');
                if (colon <= start) {
                    return false;
                }
                boolean acked;
                if (WireText.regionEquals(line, colon + 1, end, TRUE)) {
                    acked = true;
                } else if (WireText.regionEquals(line, colon + 1, end, FALSE)) {
                    acked = false;
                } else {
                    return false;
                }
                if (!count && members.size() >= MAX_MEMBERS && find(line, start, colon) == null) {
                    return false;
                }
                if (count) {
                    MemberCounts m = member(line, start, colon);
                    if (!acked) {
                        boolean waiting =
                                m.inView && (m.startNanos == MemberClassifier.UNKNOWN_START || oppId >= m.startNanos);
                        if (waiting) {
                            m.waiting++;
                            if (m.oldestWaiting < 0 || oppId < m.oldestWaiting) {
                                m.oldestWaiting = oppId;
                            }
                        } else {
                            m.orphaned++;
                        }
                    }
                }
            }
            i = partEnd + 1;
        }
        return true;
    }

    private MemberCounts find(ByteBuf line, int from, int to) {
        for (int i = 0; i < members.size(); i++) {
            MemberCounts m = members.get(i);
            if (WireText.regionEquals(line, from, to, m.nameBytes)) {
                return m;
            }
        }
        return null;
    }

    private MemberCounts member(ByteBuf line, int from, int to) {
        MemberCounts known = find(line, from, to);
        if (known != null) {
            return known;
        }
        byte[] nameBytes = new byte[to - from];
        line.getBytes(from, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        MemberCounts m = new MemberCounts(name, nameBytes, classifier.processStartNanos(name), classifier.inView(name));
        members.add(m);
        return m;
    }

    /**
     * Ends the reply and returns the per-member aggregate.
     *
     * @param fetchedAtEpochMillis when the reply was received, copied into the snapshot
     * @throws ReplyParseException unsupported if the reply did not start with {@code pending-ops}
     *     (including a reply without any payload line)
     */
    public PendingOpsSnapshot finish(long fetchedAtEpochMillis) throws ReplyParseException {
        if (!started) {
            throw new IllegalStateException("finish before begin");
        }
        started = false;
        if (!sawPrefix) {
            throw ReplyParseException.unsupported("debug pending-ops: missing prefix");
        }
        Map<String, PendingOpsSnapshot.Member> result = new HashMap<>();
        for (MemberCounts m : members) {
            result.put(m.name, new PendingOpsSnapshot.Member(m.waiting, m.orphaned, m.oldestWaiting));
        }
        return new PendingOpsSnapshot(result, fetchedAtEpochMillis, replyBytes);
    }

    /** Entries of the current or last reply that did not parse and were not counted. */
    public long malformedEntries() {
        return malformedEntries;
    }
}
