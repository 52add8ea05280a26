package io.nundb.exporter.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a node's pending-replication map (spec §5.4, §5.5): the replicated command, its
 * {@code opp_id} (ns since the epoch), the monotonic start time of the first registration and the
 * ack flag of every member it was registered for. Entries never expire.
 *
 * <p>Thread-safety: confined to the owning node's event loop.
 */
final class PendingOp {
    final String message;
    final long oppId;
    final long startNanos;
    final Map<String, Boolean> members = new LinkedHashMap<>();
    int ackCount;

    PendingOp(String message, long oppId, long startNanos) {
        this.message = message;
        this.oppId = oppId;
        this.startNanos = startNanos;
    }

    /** The {@code debug pending-ops} line for this entry (spec §3.4). */
    String render() {
        StringBuilder sb = new StringBuilder("message: \"")
                .append(message)
                .append("\", opp_id: ")
                .append(Long.toUnsignedString(oppId))
                .append(", ack_count: ")
                .append(ackCount)
                .append(", replicate_count: ")
                .append(members.size())
                .append(", replications: ");
        for (Map.Entry<String, Boolean> m : members.entrySet()) {
            sb.append(", ").append(m.getKey()).append(':').append(m.getValue());
        }
        return sb.toString();
    }
}
