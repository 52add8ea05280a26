package io.nundb.exporter.client;

import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.ViewMember;
import java.util.HashMap;
import java.util.Map;

/**
 * When one node's poll cycle reads {@code debug pending-ops}, and the pending entries it publishes. Pending
 * ops depend on the cycle's metrics and view: only the node that claims primary, only with
 * {@code pending_ops} above 0, at most every pending interval, and only when the last read may be out of
 * date (Nun-db logs every reply whole, user keys and values included). A primary with
 * {@code pending_ops: 0} gets zero series without a read; a node that does not claim primary gets none.
 *
 * <p>The interval doubles while the reply exceeds 1 MiB (the server holds a lock while formatting it), up
 * to 64 times {@link ClientConfig#pendingInterval()}.
 *
 * <p>Allocation: none to decide; a new zero snapshot only when the primary's view changes members.
 *
 * <p>Thread-safety: owned by its {@link NodeClient} and confined to the node's event loop.
 */
final class PendingOpsReads {
    private final ClientConfig config;
    private final TimeSource time;

    private long nextReadNanos;
    private long intervalNanos;
    /** What the last read saw; {@code readCount} -1 when none counts. */
    private long readCount = -1;

    private long readNanos;
    private ClusterView readView;
    private Map<String, Long> readStarts;
    private PendingOpsSnapshot pendingOps;

    PendingOpsReads(ClientConfig config, TimeSource time) {
        this.config = config;
        this.time = time;
        this.intervalNanos = config.pendingInterval().toNanos();
    }

    /** The entries as last read (or zeroed), {@code null} when the node is not a primary with metrics. */
    PendingOpsSnapshot snapshot() {
        return pendingOps;
    }

    /**
     * Whether the cycle that just read {@code metrics} and {@code view} reads {@code debug pending-ops} now;
     * if so, the read is taken as begun (what it is based on is kept, to tell when it is out of date).
     */
    boolean readNow(long now, ClusterView view, MetricsState metrics, Map<String, Long> memberStarts) {
        if (view != null
                && view.claimsPrimary()
                && metrics != null
                && metrics.pendingOps() > 0
                && now - nextReadNanos >= 0
                && outOfDate(now, view, metrics, memberStarts)) {
            nextReadNanos = now + intervalNanos;
            readCount = metrics.pendingOps();
            readNanos = now;
            readView = view;
            readStarts = memberStarts;
            return true;
        }
        return false;
    }

    /** The cycle made no read ({@link #readNow} said no): no entries for a non-primary, zeros for none. */
    void noRead(ClusterView view, MetricsState metrics) {
        if (view == null || !view.claimsPrimary() || metrics == null) {
            pendingOps = null;
            readCount = -1;
        } else if (metrics.pendingOps() == 0) {
            pendingOps = nothingPending(view);
            readCount = -1;
        }
    }

    /** The read's entries; sets the interval to the next. */
    void done(PendingOpsSnapshot snapshot) {
        pendingOps = snapshot;
        long replyBytes = snapshot.replyBytes();
        // Doubling while the reply exceeds 1 MiB: the server holds a lock while formatting it.
        long base = config.pendingInterval().toNanos();
        intervalNanos = replyBytes > 1024 * 1024 ? Math.min(intervalNanos * 2, base * 64) : base;
    }

    /**
     * The last read no longer counts: the read itself failed, or the connection ended (the next one may
     * reach a restarted process with other pending entries). The next due cycle reads again.
     */
    void forget() {
        readCount = -1;
    }

    /**
     * Whether the last {@code debug pending-ops} read may no longer hold: there was none, it found entries
     * waiting (they come and go with every ack, and their age drives an alert), or since it the primary's
     * {@code pending_ops}, its view or the members' process starts (which classify the entries) changed, or
     * it is older than {@link ClientConfig#pendingMaxAge()}. Orphaned entries that never change are thus
     * read once per max age, not once per pending interval.
     */
    private boolean outOfDate(long now, ClusterView view, MetricsState metrics, Map<String, Long> memberStarts) {
        return readCount < 0
                || anyWaiting(pendingOps)
                || readCount != metrics.pendingOps()
                || !view.equals(readView)
                || !memberStarts.equals(readStarts)
                || now - readNanos >= config.pendingMaxAge().toNanos();
    }

    private static boolean anyWaiting(PendingOpsSnapshot snapshot) {
        if (snapshot == null) {
            return false;
        }
        for (PendingOpsSnapshot.Member m : snapshot.members().values()) {
            if (m.waiting() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A primary with {@code pending_ops: 0} has nothing pending for any member: zero series for every
     * other member of its view, so that alerts and charts see 0 rather than no data (without asking
     * {@code debug pending-ops}).
     */
    private PendingOpsSnapshot nothingPending(ClusterView v) {
        PendingOpsSnapshot previous = pendingOps;
        if (previous != null && previous.replyBytes() == 0) {
            // Already the zero snapshot: keep it while the view lists the same members.
            boolean same = previous.members().size() == v.members().size() - 1;
            for (ViewMember m : v.members()) {
                same &= m.status() == MemberStatus.SELF || previous.members().containsKey(m.name());
            }
            if (same) {
                return previous;
            }
        }
        Map<String, PendingOpsSnapshot.Member> members = new HashMap<>();
        for (ViewMember m : v.members()) {
            if (m.status() != MemberStatus.SELF) {
                members.put(m.name(), new PendingOpsSnapshot.Member(0, 0, -1));
            }
        }
        return new PendingOpsSnapshot(members, time.currentTimeMillis(), 0);
    }
}
