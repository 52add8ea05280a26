package io.nundb.exporter.client;

import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Decides, every {@link CanaryConfig#interval()}, whether and where the replication canary writes: only
 * when exactly one up node claims primary, every up node's view names that node as the only primary, and
 * the primary's view lists other members (never on a standalone node). Otherwise the write is skipped
 * and counted by reason. Before the write, every member that is up, in the primary's view and watching
 * is told to expect it; a write whose primary goes down or stops claiming primary before the canary
 * timeout is discarded on every member (counted as skipped {@code no_primary}, never as lost), so the
 * canary follows the new primary.
 *
 * <p>Thread-safety: confined to the collector's thread; {@link #writeFailed} is called there too (node
 * loops hand it over).
 */
final class CanaryCoordinator {
    private static final Logger LOG = Logger.getLogger(CanaryCoordinator.class.getName());

    private final CanaryConfig config;
    private final CanaryCounters counters;
    private final TimeSource time;

    private long nextSeq;
    private final ArrayDeque<Write> outstanding = new ArrayDeque<>();
    private CanarySkipReason lastReason;
    private String lastPrimary;

    /** A canary written and not yet past its timeout. */
    private record Write(long seq, String primary, long writtenNanos, List<CanaryNode> members) {}

    CanaryCoordinator(CanaryConfig config, CanaryCounters counters, TimeSource time) {
        this.config = config;
        this.counters = counters;
        this.time = time;
    }

    CanaryCounters counters() {
        return counters;
    }

    /**
     * One canary interval: writes canary on the primary or counts the reason it cannot.
     *
     * @param snapshots the latest snapshot of every known node, by name
     * @param canaries every known node's canary connection, by name
     */
    void tick(Map<String, NodeSnapshot> snapshots, Map<String, CanaryNode> canaries) {
        long now = time.nanoTime();
        expireOutstanding(now);
        CanarySkipReason reason = null;
        NodeSnapshot primary = null;
        if (counters.tokenRejected()) {
            reason = CanarySkipReason.CANARY_TOKEN;
        } else {
            List<NodeSnapshot> claims = new ArrayList<>(2);
            for (NodeSnapshot s : snapshots.values()) {
                if (s.up() && s.view() != null && s.view().claimsPrimary()) {
                    claims.add(s);
                }
            }
            if (claims.isEmpty()) {
                reason = CanarySkipReason.NO_PRIMARY;
            } else if (claims.size() > 1) {
                reason = CanarySkipReason.SPLIT_BRAIN;
            } else {
                primary = claims.get(0);
                reason = agreement(primary.name(), snapshots);
                if (reason == null && primary.view().members().size() < 2) {
                    reason = CanarySkipReason.STANDALONE;
                }
                CanaryNode writer = canaries.get(primary.name());
                if (reason == null && (writer == null || !writer.writable())) {
                    reason = CanarySkipReason.NOT_CONNECTED;
                }
            }
        }
        if (reason != null) {
            counters.skipped(reason);
            if (reason != lastReason) {
                CanarySkipReason r = reason;
                LOG.info(() -> "replication canary skipped: " + r.label());
            }
            lastReason = reason;
            return;
        }
        lastReason = null;
        if (!primary.name().equals(lastPrimary)) {
            String p = primary.name();
            LOG.info(() -> "replication canary writes on " + p);
            lastPrimary = p;
        }
        long seq = nextSeq++;
        List<CanaryNode> members = new ArrayList<>();
        for (ViewMember m : primary.view().members()) {
            if (m.name().equals(primary.name())) {
                continue;
            }
            NodeSnapshot ms = snapshots.get(m.name());
            CanaryNode c = canaries.get(m.name());
            if (ms != null && ms.up() && c != null && c.watching()) {
                c.expect(seq, now);
                members.add(c);
            }
        }
        outstanding.addLast(new Write(seq, primary.name(), now, members));
        canaries.get(primary.name()).write(seq);
    }

    /** Every up view must name {@code primary} as its only primary (also the sentinel's rule). */
    static CanarySkipReason agreement(String primary, Map<String, NodeSnapshot> snapshots) {
        for (NodeSnapshot s : snapshots.values()) {
            ClusterView v = s.view();
            if (!s.up() || v == null) {
                continue;
            }
            int primaries = 0;
            boolean named = false;
            for (ViewMember m : v.members()) {
                if (m.role() == Role.PRIMARY) {
                    primaries++;
                    named |= m.name().equals(primary);
                }
            }
            if (primaries != 1 || !named) {
                return CanarySkipReason.VIEWS_DISAGREE;
            }
        }
        return null;
    }

    /**
     * At every publication: discards the outstanding writes whose primary is down or no longer claims
     * primary (a failover before the timeout), so they are never counted lost.
     */
    void checkFailover(Map<String, NodeSnapshot> snapshots) {
        expireOutstanding(time.nanoTime());
        for (Iterator<Write> it = outstanding.iterator(); it.hasNext(); ) {
            Write w = it.next();
            NodeSnapshot p = snapshots.get(w.primary());
            if (p == null || !p.up() || p.view() == null || !p.view().claimsPrimary()) {
                it.remove();
                discard(w);
                counters.skipped(CanarySkipReason.NO_PRIMARY);
            }
        }
    }

    /** The primary's canary connection could not make write {@code seq}: discarded, counted not_connected. */
    void writeFailed(long seq) {
        for (Iterator<Write> it = outstanding.iterator(); it.hasNext(); ) {
            Write w = it.next();
            if (w.seq() == seq) {
                it.remove();
                discard(w);
                counters.skipped(CanarySkipReason.NOT_CONNECTED);
                return;
            }
        }
    }

    private void discard(Write w) {
        for (CanaryNode c : w.members()) {
            c.discard(w.seq());
        }
    }

    /** Writes past the timeout are the members' business now (seen or lost). */
    private void expireOutstanding(long now) {
        long timeout = config.timeout().toNanos();
        Write w;
        while ((w = outstanding.peekFirst()) != null && now - w.writtenNanos() > timeout) {
            outstanding.pollFirst();
        }
    }
}
