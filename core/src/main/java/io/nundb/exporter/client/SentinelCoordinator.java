package io.nundb.exporter.client;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.ViewAgreement;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Keeps the replication sentinel and checks it on every member, every
 * {@link CanaryConfig#sentinelInterval()}: a member restarted on an empty data directory rejoins, acks new
 * writes and passes the canary, yet holds nothing written before (spec Appendix C); only reading old data
 * on it tells that apart from a restart with its data (whose {@code op_log_count} also drops).
 *
 * <p>A round: when exactly one up node claims primary, every up node's view names it as the only primary
 * (the canary's rule, {@link CanaryCoordinator#agreement}) and its canary connection is authenticated, its
 * canary connection reads {@value CanaryConfig#SENTINEL_KEY} ({@code get}); missing there, the sentinel is
 * written ({@link Sentinel#value}) and the round ends (members are checked from the next round, once the
 * write has replicated). Present, its identity comes back to the collector thread, which asks every up
 * node's canary connection to read it and judge its own copy ({@link CanaryNode#checkSentinel}). Only
 * canary connections are used, never a poll connection. Once the canary token was rejected no round
 * runs; without a primary every up view agrees on, no round runs and every node's verdict is withdrawn
 * (no presence series until the next round judges it).
 *
 * <p>Limit: a primary that lost its data itself gets a new sentinel, which then replicates to every
 * member; its loss is not detected here (Nun-db elects the oldest process, so a restarted node becomes
 * primary only when it is the last one standing).
 *
 * <p>Thread-safety: {@link #tick} runs on the collector's thread; the primary's answer is handed back to
 * it through {@code collectorThread}. The maps given to {@link #tick} are copies, never changed after.
 */
final class SentinelCoordinator {
    private final CanaryCounters counters;
    private final Executor collectorThread;

    /**
     * @param counters the canary's counters (a rejected token stops the sentinel too)
     * @param collectorThread runs a task on the collector's thread
     */
    SentinelCoordinator(CanaryCounters counters, Executor collectorThread) {
        this.counters = counters;
        this.collectorThread = collectorThread;
    }

    /**
     * One sentinel round.
     *
     * @param snapshots the latest snapshot of every known node, by name (a copy)
     * @param canaries every known node's canary connection, by name (a copy)
     */
    void tick(Map<String, NodeSnapshot> snapshots, Map<String, CanaryNode> canaries) {
        if (counters.tokenRejected()) {
            return;
        }
        // The canary's views_disagree rule (ViewAgreement, one definition for both): without a primary every
        // up view agrees on (an election, a split brain, a stale view) there is no reference, and a verdict
        // taken against one side of a split brain would page as data loss while it lasts.
        ViewAgreement views = ViewAgreement.of(snapshots.values());
        String primary = views.primary().orElse(null);
        if (primary == null || !views.agree()) {
            withdraw(canaries);
            return;
        }
        CanaryNode reader = canaries.get(primary);
        if (reader == null || !reader.writable()) {
            return;
        }
        reader.readSentinel(token -> collectorThread.execute(() -> check(token, snapshots, canaries)));
    }

    /** Every node forgets its verdict (its presence series goes away until it is judged again). */
    private static void withdraw(Map<String, CanaryNode> canaries) {
        for (CanaryNode c : canaries.values()) {
            c.withdrawSentinel();
        }
    }

    /** Asks every up node to judge its copy of the sentinel {@code token}. */
    private static void check(String token, Map<String, NodeSnapshot> snapshots, Map<String, CanaryNode> canaries) {
        for (Map.Entry<String, CanaryNode> e : canaries.entrySet()) {
            NodeSnapshot s = snapshots.get(e.getKey());
            if (s != null && s.up()) {
                e.getValue().checkSentinel(token);
            }
        }
    }
}
