package io.nundb.exporter.client;

import io.nundb.exporter.model.SentinelResult;

/**
 * The replication sentinel's value and how a member's copy of it is judged.
 *
 * <p>Value: {@code written-at <epoch-millis>}, the wall-clock time it was written on the primary. Two
 * words on purpose: a node restarted with a full resync receives {@code replicate <db> <key> <value>}
 * without a version and takes the value's first word as the version (spec §5.7: {@code set rs1 hello
 * world} arrived as {@code value-version 0 world}), so it stores {@code <epoch-millis>} alone. A
 * one-word value would be stored empty there and a correctly resynced member would read as missing. The
 * sentinel is therefore identified by its <em>last</em> word, the same before and after a resync.
 *
 * <p>A missing key reads {@code value <Empty>} (spec, {@code get}), which cannot be told apart from a
 * stored {@code <Empty>}; the exporter never stores that.
 *
 * <p>Thread-safety: stateless.
 */
final class Sentinel {
    /** What {@code get} answers for a missing key. */
    static final String EMPTY = "<Empty>";

    private static final String PREFIX = "written-at ";

    private Sentinel() {}

    /** The value written on the primary at {@code epochMillis}. */
    static String value(long epochMillis) {
        return PREFIX + epochMillis;
    }

    /**
     * The sentinel's identity in a value read with {@code get} (its last word), or {@code null} when the
     * value says the key is missing.
     */
    static String token(String value) {
        if (value == null || value.isBlank() || value.equals(EMPTY)) {
            return null;
        }
        String v = value.strip();
        return v.substring(v.lastIndexOf(' ') + 1);
    }

    /** Judges a member's {@code value} against the primary's sentinel {@code token}. */
    static SentinelResult classify(String value, String token) {
        String own = token(value);
        if (own == null) {
            return SentinelResult.MISSING;
        }
        return own.equals(token) ? SentinelResult.PRESENT : SentinelResult.DIFFERENT;
    }
}
