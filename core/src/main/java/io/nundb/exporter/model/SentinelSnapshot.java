package io.nundb.exporter.model;

import java.util.Arrays;

/**
 * The replication sentinel as checked on one member: the last decisive result and the checks made so
 * far by result, cumulative since the exporter started.
 *
 * <p>Thread-safety: immutable; the array is copied in and out.
 *
 * @param last the last result that was not {@link SentinelResult#ERROR}, or {@code null} when every
 *     check so far failed to get an answer
 * @param checks indexed by {@link SentinelResult#ordinal()}
 */
public record SentinelSnapshot(SentinelResult last, long[] checks) {
    public SentinelSnapshot {
        if (last == SentinelResult.ERROR) {
            throw new IllegalArgumentException("the last decisive result cannot be error");
        }
        checks = Arrays.copyOf(checks, SentinelResult.values().length);
    }

    /** Whether the member held the primary's sentinel at its last decisive check. */
    public boolean present() {
        return last == SentinelResult.PRESENT;
    }

    public long checks(SentinelResult result) {
        return checks[result.ordinal()];
    }

    @Override
    public long[] checks() {
        return checks.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SentinelSnapshot s && last == s.last && Arrays.equals(checks, s.checks);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(last) * 31 + Arrays.hashCode(checks);
    }

    @Override
    public String toString() {
        return "SentinelSnapshot(last=" + last + ", checks=" + Arrays.toString(checks) + ")";
    }
}
