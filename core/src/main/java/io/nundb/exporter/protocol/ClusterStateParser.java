package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the {@code cluster-state} payload line (spec §3.2): {@code "cluster-state"} then, per member,
 * {@code " <name>(self|Connected|Disconnected):Primary|Secoundary|StartingUp"} followed by an
 * optional space and a comma. {@code Secoundary} (sic) is {@link Role#SECONDARY}. {@code
 * "cluster-state "} alone is {@link ClusterView#EMPTY} (normal during a node's first second).
 *
 * <p>Entries end at a comma preceded by {@code "):<Role>"} and optional spaces, so a name may contain
 * commas, colons and parentheses: the status is read from the last {@code (} before the final {@code
 * ):}. Leading and trailing spaces of an entry are not part of the name. Allocates the view (strings
 * and a list).
 *
 * <p>Thread-safety: stateless.
 */
public final class ClusterStateParser {
    private static final byte[] PREFIX = NunDbReplyDecoder.ascii("cluster-state");
    private static final byte[][] ROLE_WORDS = {
        NunDbReplyDecoder.ascii("):Primary"),
        NunDbReplyDecoder.ascii("):Secoundary"),
        NunDbReplyDecoder.ascii("):StartingUp")
    };
    private static final Role[] ROLES = {Role.PRIMARY, Role.SECONDARY, Role.STARTING};
    private static final byte[] SELF = NunDbReplyDecoder.ascii("self");
    private static final byte[] CONNECTED = NunDbReplyDecoder.ascii("Connected");
    private static final byte[] DISCONNECTED = NunDbReplyDecoder.ascii("Disconnected");

    private ClusterStateParser() {}

    /**
     * Parses one payload line. The buffer's indices are not moved and it is not released.
     *
     * @throws ReplyParseException unsupported if the line does not start with {@code cluster-state};
     *     malformed if an entry does not match {@code <name>(<status>):<role>}
     */
    public static ClusterView parse(ByteBuf content) throws ReplyParseException {
        int from = content.readerIndex();
        int to = content.writerIndex();
        if (!NunDbReplyDecoder.startsWith(content, from, to - from, PREFIX)) {
            throw ReplyParseException.unsupported("cluster-state: missing prefix");
        }
        int i = from + PREFIX.length;
        if (i < to && content.getByte(i) != ' ') {
            throw ReplyParseException.unsupported("cluster-state: missing prefix");
        }
        List<ViewMember> members = new ArrayList<>();
        int entryStart = i;
        while (i < to) {
            int comma = WireText.indexOf(content, i, to, (byte) ',');
            int candidateEnd = comma < 0 ? to : comma;
            int start = WireText.skipSpaces(content, entryStart, candidateEnd);
            int end = WireText.trimSpacesBack(content, start, candidateEnd);
            int role = roleAtEnd(content, start, end);
            if (role >= 0) {
                members.add(entry(content, start, end, role));
                entryStart = candidateEnd + 1;
            } else if (comma < 0 && start < end) {
                throw ReplyParseException.malformed("cluster-state: entry does not match name(status):role");
            } else if (start == end) {
                // Nothing but spaces since the last entry (the trailing ",\n" of a view).
                entryStart = candidateEnd + 1;
            }
            i = candidateEnd + 1;
        }
        if (entryStart < to && WireText.skipSpaces(content, entryStart, to) < to) {
            throw ReplyParseException.malformed("cluster-state: entry does not match name(status):role");
        }
        return members.isEmpty() ? ClusterView.EMPTY : new ClusterView(members);
    }

    private static int roleAtEnd(ByteBuf content, int start, int end) {
        for (int r = 0; r < ROLE_WORDS.length; r++) {
            byte[] word = ROLE_WORDS[r];
            if (end - start > word.length
                    && NunDbReplyDecoder.startsWith(content, end - word.length, word.length, word)) {
                return r;
            }
        }
        return -1;
    }

    private static ViewMember entry(ByteBuf content, int start, int end, int role) throws ReplyParseException {
        int close = end - ROLE_WORDS[role].length; // index of ')'
        int open = WireText.lastIndexOf(content, start, close, (byte) '(');
        if (open <= start) {
            throw ReplyParseException.malformed("cluster-state: entry without name or status");
        }
        MemberStatus status;
        if (WireText.regionEquals(content, open + 1, close, SELF)) {
            status = MemberStatus.SELF;
        } else if (WireText.regionEquals(content, open + 1, close, CONNECTED)) {
            status = MemberStatus.CONNECTED;
        } else if (WireText.regionEquals(content, open + 1, close, DISCONNECTED)) {
            status = MemberStatus.DISCONNECTED;
        } else {
            throw ReplyParseException.malformed("cluster-state: unknown member status");
        }
        String name = content.toString(start, open - start, StandardCharsets.UTF_8);
        return new ViewMember(name, status, ROLES[role]);
    }
}
