package io.nundb.exporter.client;

import io.nundb.exporter.model.SentinelResult;
import io.nundb.exporter.model.SentinelSnapshot;
import java.util.logging.Logger;

/**
 * One node's replication sentinel checks: counts by result and the last decisive result, logged once
 * per change of that result, naming the node (never the value: it is read from user storage).
 *
 * <p>Thread-safety: confined to the node's event loop (its {@link CanaryNode}'s); allocates only when
 * the state changes (a log line) and at {@link #snapshot()}.
 */
final class SentinelTally {
    private static final Logger LOG = Logger.getLogger(SentinelTally.class.getName());

    private String label;
    private final long[] checks = new long[SentinelResult.values().length];
    private boolean checked;
    private SentinelResult last;
    /** The last result logged, kept across a withdrawal so that each change is logged once. */
    private SentinelResult logged;

    /** @param label the node's name, for log lines */
    SentinelTally(String label) {
        this.label = label;
    }

    /** The node's new name, for log lines. */
    void rename(String newLabel) {
        label = newLabel;
    }

    void record(SentinelResult result) {
        checks[result.ordinal()]++;
        checked = true;
        if (!result.decisive()) {
            return;
        }
        last = result;
        if (result == logged) {
            return;
        }
        SentinelResult before = logged;
        logged = result;
        if (result == SentinelResult.PRESENT) {
            LOG.info(() -> "node " + label + " holds the replication sentinel"
                    + (before == null ? "" : " again (was " + before.label() + ")"));
        } else {
            LOG.warning(() -> "node " + label + " lacks the replication sentinel the primary holds ("
                    + result.label() + "): it serves reads without data written before; resync or rebuild it"
                    + " from the primary");
        }
    }

    /**
     * Forgets the last decisive result (the counts stay): no verdict is exposed until the next check. A
     * later verdict equal to the forgotten one is not logged again.
     */
    void withdraw() {
        last = null;
    }

    /** The checks so far, or {@code null} before the first. */
    SentinelSnapshot snapshot() {
        return checked ? new SentinelSnapshot(last, checks) : null;
    }
}
