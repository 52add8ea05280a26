package io.nundb.exporter.client;

import io.nundb.exporter.model.CanaryIgnoreReason;
import io.nundb.exporter.model.CanarySkipReason;
import io.nundb.exporter.model.CanaryTotals;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The canary's cluster-level counters, shared by the coordinator (skips, writes) and every node's canary
 * connection (ignored pushes, a rejected token).
 *
 * <p>Thread-safety: lock-free; increments from any thread, allocation-free. {@link #totals()} allocates.
 */
final class CanaryCounters {
    private final AtomicLongArray skipped = new AtomicLongArray(CanarySkipReason.values().length);
    private final AtomicLongArray ignored = new AtomicLongArray(CanaryIgnoreReason.values().length);
    private final AtomicLongArray writes = new AtomicLongArray(1);
    private volatile boolean tokenRejected;

    void skipped(CanarySkipReason reason) {
        skipped.incrementAndGet(reason.ordinal());
    }

    void ignored(CanaryIgnoreReason reason) {
        ignored.incrementAndGet(reason.ordinal());
    }

    void written() {
        writes.incrementAndGet(0);
    }

    /** A node answered {@code Invalid token}: the canary stops for good. */
    void rejectToken() {
        tokenRejected = true;
    }

    boolean tokenRejected() {
        return tokenRejected;
    }

    CanaryTotals totals() {
        long[] s = new long[skipped.length()];
        for (int i = 0; i < s.length; i++) {
            s[i] = skipped.get(i);
        }
        long[] g = new long[ignored.length()];
        for (int i = 0; i < g.length; i++) {
            g[i] = ignored.get(i);
        }
        return new CanaryTotals(s, g, writes.get(0));
    }
}
