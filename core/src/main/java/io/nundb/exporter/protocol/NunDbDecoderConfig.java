package io.nundb.exporter.protocol;

/**
 * Limits of a {@link NunDbReplyDecoder}. The real server has no line-length limit (spec §6), so the
 * client sets its own: a line longer than its limit is cut in the middle, counted, and never fatal.
 *
 * <p>Thread-safety: immutable.
 *
 * @param maxLineBytes the limit for every line but {@code cluster-state} views, {@code \n} excluded
 *     (default 64 KiB); at least {@link #MIN_LINE_BYTES}
 * @param maxClusterStateLineBytes the limit for a line that starts with {@code "cluster-state "} (a
 *     view is one line of O(members) entries; default 1 MiB); at least {@code maxLineBytes}
 * @param pushes whether {@code changed}, {@code changed-version} and {@code removed} lines are pushes
 *     (default true). A connection that never sends {@code watch} can turn this off, so that a payload
 *     line that happens to start with a push word (a database called {@code changed} in {@code debug
 *     list-dbs}) stays a payload line.
 */
public record NunDbDecoderConfig(int maxLineBytes, int maxClusterStateLineBytes, boolean pushes) {
    /** Smallest accepted limit: room for every status line and fixed prefix this client reads. */
    public static final int MIN_LINE_BYTES = 256;

    /** 64 KiB, 1 MiB for {@code cluster-state}, pushes on. */
    public static final NunDbDecoderConfig DEFAULT = new NunDbDecoderConfig(64 * 1024, 1024 * 1024, true);

    /**
     * @throws IllegalArgumentException if a limit is below {@link #MIN_LINE_BYTES} or the
     *     {@code cluster-state} limit is below the general one
     */
    public NunDbDecoderConfig {
        if (maxLineBytes < MIN_LINE_BYTES) {
            throw new IllegalArgumentException("maxLineBytes " + maxLineBytes + " < " + MIN_LINE_BYTES);
        }
        if (maxClusterStateLineBytes < maxLineBytes) {
            throw new IllegalArgumentException(
                    "maxClusterStateLineBytes " + maxClusterStateLineBytes + " < maxLineBytes " + maxLineBytes);
        }
    }
}
