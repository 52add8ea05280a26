package io.nundb.exporter.exposition;

import java.util.Arrays;
import java.util.Objects;

/**
 * The exporter's own state at render time: build information, mode, render counters, Netty direct
 * memory and the compatibility switch.
 *
 * <p>Thread-safety: immutable; the render counter array is copied on construction.
 */
public final class ExporterSnapshot {
    private final String version;
    private final String revision;
    private final boolean demo;
    private final long[] renders;
    private final long nettyDirectMemoryBytes;
    private final String compatNode;

    /**
     * @param version the exporter version
     * @param revision the source revision, or {@code "unknown"}
     * @param demo whether the exporter watches the embedded demo cluster
     * @param renders render counts indexed by {@link #renderIndex(ExpositionFormat, boolean)}
     * @param nettyDirectMemoryBytes Netty's used direct memory, or -1 if unknown
     * @param compatNode node whose values feed the legacy {@code nun_db_*} gauges, or {@code null} when
     *     {@code --compat.legacy-metrics} is off
     */
    public ExporterSnapshot(
            String version,
            String revision,
            boolean demo,
            long[] renders,
            long nettyDirectMemoryBytes,
            String compatNode) {
        this.version = Objects.requireNonNull(version, "version");
        this.revision = Objects.requireNonNull(revision, "revision");
        this.demo = demo;
        this.renders = Arrays.copyOf(renders, RENDER_SLOTS);
        this.nettyDirectMemoryBytes = nettyDirectMemoryBytes;
        this.compatNode = compatNode;
    }

    /** Number of (format, encoding) pairs. */
    public static final int RENDER_SLOTS = ExpositionFormat.values().length * 2;

    /** Index of a (format, encoding) pair in a render counter array. */
    public static int renderIndex(ExpositionFormat format, boolean gzip) {
        return format.ordinal() * 2 + (gzip ? 1 : 0);
    }

    public String version() {
        return version;
    }

    public String revision() {
        return revision;
    }

    public boolean demo() {
        return demo;
    }

    /** Renders so far of {@code format}, gzip compressed or not. */
    public long renders(ExpositionFormat format, boolean gzip) {
        return renders[renderIndex(format, gzip)];
    }

    public long nettyDirectMemoryBytes() {
        return nettyDirectMemoryBytes;
    }

    /** The node feeding the legacy gauges, or {@code null}. */
    public String compatNode() {
        return compatNode;
    }
}
