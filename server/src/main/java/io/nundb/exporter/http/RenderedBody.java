package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One render of one format: the identity body, its gzip compression and its content type, shared by
 * every scrape until the next render. Scrapes take {@link #retainedBody(boolean)} (a
 * {@code retainedDuplicate()}, no copy); the publisher drops the cache's reference with
 * {@link #release()} when a newer render replaces it, and the buffers are freed once the last scrape
 * wrote its duplicate.
 *
 * <p>Pooled buffers are recycled objects, so a reader that loaded this body just before the publisher
 * released it must not call {@code retain()} on the buffer itself (it may already belong to someone
 * else). This object is never recycled: its own guard count only increments while it is above zero, so
 * {@link #retainedBody(boolean)} either gets a live duplicate or returns {@code null} and the caller
 * reads the newer body.
 *
 * <p>Thread-safety: buffers are written before publication and then only read; the guard is a CAS loop.
 * Safe to share between the publisher and every event loop.
 */
public final class RenderedBody {
    private static final AtomicIntegerFieldUpdater<RenderedBody> GUARD =
            AtomicIntegerFieldUpdater.newUpdater(RenderedBody.class, "guard");

    private final ByteBuf identity;
    private final ByteBuf gzip;
    private final String contentType;
    private final long renderedAtNanos;

    @SuppressWarnings("unused") // updated through GUARD
    private volatile int guard = 1;

    RenderedBody(ByteBuf identity, ByteBuf gzip, String contentType, long renderedAtNanos) {
        this.identity = identity;
        this.gzip = gzip;
        this.contentType = contentType;
        this.renderedAtNanos = renderedAtNanos;
    }

    /**
     * A retained duplicate of the identity or gzip body, which the caller must release (writing it to a
     * channel does), or {@code null} if this body was already released. Allocates one duplicate object.
     */
    public ByteBuf retainedBody(boolean gzipped) {
        for (; ; ) {
            int g = guard;
            if (g == 0) {
                return null;
            }
            if (GUARD.compareAndSet(this, g, g + 1)) {
                break;
            }
        }
        try {
            return (gzipped ? gzip : identity).retainedDuplicate();
        } finally {
            release();
        }
    }

    public String contentType() {
        return contentType;
    }

    /** Length of the identity or gzip body in bytes. */
    public int length(boolean gzipped) {
        return (gzipped ? gzip : identity).readableBytes();
    }

    /** {@link System#nanoTime()} when rendered. */
    public long renderedAtNanos() {
        return renderedAtNanos;
    }

    /** Drops the cache's reference (publisher only, once). */
    void release() {
        if (GUARD.decrementAndGet(this) == 0) {
            identity.release();
            gzip.release();
        }
    }
}
