package io.nundb.exporter.model;

import java.util.Arrays;

/**
 * The cluster-level canary counters: writes skipped by reason and pushes ignored by reason, cumulative
 * since the exporter started.
 *
 * <p>Thread-safety: immutable; the arrays are copied in and out.
 *
 * @param skipped indexed by {@link CanarySkipReason#ordinal()}
 * @param ignored indexed by {@link CanaryIgnoreReason#ordinal()}
 * @param writes canary writes made
 */
public record CanaryTotals(long[] skipped, long[] ignored, long writes) {
    public CanaryTotals {
        skipped = Arrays.copyOf(skipped, CanarySkipReason.values().length);
        ignored = Arrays.copyOf(ignored, CanaryIgnoreReason.values().length);
    }

    public long skipped(CanarySkipReason reason) {
        return skipped[reason.ordinal()];
    }

    public long ignored(CanaryIgnoreReason reason) {
        return ignored[reason.ordinal()];
    }

    @Override
    public long[] skipped() {
        return skipped.clone();
    }

    @Override
    public long[] ignored() {
        return ignored.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanaryTotals t
                && Arrays.equals(skipped, t.skipped)
                && Arrays.equals(ignored, t.ignored)
                && writes == t.writes;
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(skipped) * 31 + Arrays.hashCode(ignored)) * 31 + Long.hashCode(writes);
    }

    @Override
    public String toString() {
        return "CanaryTotals(skipped=" + Arrays.toString(skipped) + ", ignored=" + Arrays.toString(ignored)
                + ", writes=" + writes + ")";
    }
}
