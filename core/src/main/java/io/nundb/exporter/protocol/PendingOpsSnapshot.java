package io.nundb.exporter.protocol;

import java.util.Map;

/**
 * {@code debug pending-ops} aggregated per member on the node that claims primary (spec §3.4). An entry
 * for member M is waiting if its op id (ns since the epoch) is at or after M's current process start
 * and M is in the primary's view; otherwise it is orphaned: it can never be acked and stays until the
 * primary restarts (spec §5.5, Appendix B).
 *
 * <p>Thread-safety: immutable.
 */
public record PendingOpsSnapshot(Map<String, Member> members, long fetchedAtEpochMillis, long replyBytes) {
    public PendingOpsSnapshot {
        members = Map.copyOf(members);
    }

    /** Per-member counts; {@code oldestWaitingOpIdNanos} is -1 when nothing waits. */
    public record Member(long waiting, long orphaned, long oldestWaitingOpIdNanos) {}
}
