package io.nundb.exporter.client;

import static io.nundb.exporter.model.LogField.Key.NODE;
import static io.nundb.exporter.model.LogField.Key.REASON;

import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.LogField;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.ViewAgreement;
import io.nundb.exporter.protocol.ViewMember;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decides, every {@link CanaryConfig#interval()}, whether and where the replication canary writes: only
 * when exactly one up node claims primary, every up node's view lists the same members and the same
 * primary ({@link ViewAgreement}, the definition behind {@code nundb_cluster_views_agree}), and the
 * primary's view lists other members (never on a standalone node). Otherwise the write is skipped
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
                // The same definition as nundb_cluster_views_agree: members and primary of every up view.
                reason = ViewAgreement.of(snapshots.values()).agree() ? null : CanarySkipReason.VIEWS_DISAGREE;
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
                LogField.log(LOG, Level.INFO, "replication canary skipped", REASON, reason.label());
            }
            lastReason = reason;
            return;
        }
        lastReason = null;
        if (!primary.name().equals(lastPrimary)) {
            String p = primary.name();
            LogField.log(LOG, Level.INFO, "replication canary writes on the primary", NODE, p);
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
