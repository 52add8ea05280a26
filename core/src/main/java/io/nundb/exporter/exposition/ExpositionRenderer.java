package io.nundb.exporter.exposition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes metric families in one exposition format into a pooled direct {@link ByteBuf}, and gzips a
 * written body into a second one: the render of the exporter's publisher, and the code its render
 * benchmarks measure. Each buffer starts at the size of the previous body of the same kind plus an
 * eighth (at least {@value #MIN_CAPACITY} bytes), so a steady render grows no buffer.
 *
 * <p>Allocates what client_java's writers allocate, the stream wrappers and, for gzip, one
 * {@link Deflater} (about 9 KB per body, GzipLevelBenchmark); the bodies themselves live in the
 * allocator's pool. The caller owns and releases every buffer returned.
 *
 * <p>Thread-safety: immutable (an allocator, the client_java writers and a level); safe from any thread.
 */
public final class ExpositionRenderer {
    /** Smallest buffer a body starts in, in bytes. */
    public static final int MIN_CAPACITY = 4096;

    /**
     * The exporter's gzip level, {@link Deflater#BEST_SPEED}: 3.6-4.1 times faster than the JDK's default
     * level 6 for a body 19 % larger (GzipLevelBenchmark, benchmarks/RESULTS.md), which halves the render
     * tick at 100 nodes.
     */
    public static final int GZIP_LEVEL = Deflater.BEST_SPEED;

    private final ByteBufAllocator alloc;
    private final ExpositionFormats formats;
    private final int gzipLevel;

    /**
     * @param alloc where bodies are allocated (direct buffers)
     * @param gzipLevel deflate level 0-9 of {@link #gzip}; the exporter uses {@link #GZIP_LEVEL}
     */
    public ExpositionRenderer(ByteBufAllocator alloc, int gzipLevel) {
        if (gzipLevel < Deflater.NO_COMPRESSION || gzipLevel > Deflater.BEST_COMPRESSION) {
            throw new IllegalArgumentException("gzip level must be 0-9: " + gzipLevel);
        }
        this.alloc = alloc;
        this.formats = ExpositionFormats.init();
        this.gzipLevel = gzipLevel;
    }

    /** The exporter's renderer: Netty's pooled allocator, gzip at {@link #GZIP_LEVEL}. */
    public static ExpositionRenderer pooled() {
        return new ExpositionRenderer(PooledByteBufAllocator.DEFAULT, GZIP_LEVEL);
    }

    /** The writer of {@code format}; protobuf falls back to text when client_java cannot write it. */
    public ExpositionFormatWriter writer(ExpositionFormat format) {
        switch (format) {
            case PROTOBUF:
                ExpositionFormatWriter w = formats.getPrometheusProtobufWriter();
                return w.isAvailable() ? w : formats.getPrometheusTextFormatWriter();
            case OPENMETRICS:
                return formats.getOpenMetricsTextFormatWriter();
            default:
                return formats.getPrometheusTextFormatWriter();
        }
    }

    /** The writer for an HTTP {@code Accept} header, falling back to text when it is not available. */
    public ExpositionFormatWriter writerFor(String accept) {
        ExpositionFormatWriter w = formats.findWriter(accept);
        return w.isAvailable() ? w : formats.getPrometheusTextFormatWriter();
    }

    /**
     * Writes {@code families} with {@code writer} into a new direct buffer that the caller releases.
     *
     * @param lastSize the size of the previous body of this format, 0 if none
     */
    public ByteBuf write(ExpositionFormatWriter writer, MetricSnapshots families, int lastSize) throws IOException {
        ByteBuf buf = alloc.directBuffer(capacityFor(lastSize));
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            writer.write(out, families);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
        return buf;
    }

    /**
     * Gzips the readable bytes of {@code identity} (left untouched) into a new direct buffer that the
     * caller releases.
     *
     * @param lastSize the size of the previous gzip body of this format, 0 if none
     */
    public ByteBuf gzip(ByteBuf identity, int lastSize) throws IOException {
        ByteBuf buf = alloc.directBuffer(capacityFor(lastSize));
        try (GZIPOutputStream out = new LevelGzipOutputStream(new ByteBufOutputStream(buf), gzipLevel)) {
            identity.getBytes(identity.readerIndex(), out, identity.readableBytes());
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
        return buf;
    }

    static int capacityFor(int lastSize) {
        return Math.max(MIN_CAPACITY, lastSize + (lastSize >> 3));
    }

    /** {@link GZIPOutputStream} at a chosen deflate level. Thread-safety: not thread-safe (a stream). */
    private static final class LevelGzipOutputStream extends GZIPOutputStream {
        LevelGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, 8192);
            def.setLevel(level);
        }
    }
}
