package io.nundb.exporter.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bounds what a client that does not read its responses costs: while the channel is not writable (its
 * outbound buffer is over the high water mark of {@link io.netty.channel.ChannelOption#WRITE_BUFFER_WATER_MARK})
 * auto-read is off, so no further request is read, and {@link HttpPipeliningHandler} passes no held
 * request on; both resume when the buffer drains below the low water mark. The bytes pending on stalled
 * (unwritable) connections are counted in a {@link StalledBytes} budget shared by every HTTP connection:
 * a connection that stalls while the total is over the budget is closed, so many slow readers together
 * cannot pin more than the budget (plus one connection's worth) of the direct memory the node clients
 * and the renderer allocate from.
 *
 * <pre>{@code
 * p.addLast(sslHandler);                          // only with TLS
 * p.addLast(new OutboundBackpressureHandler(stalled));
 * p.addLast(readTimeout);
 * }</pre>
 *
 * <p>Allocation-free; acts only when writability changes.
 *
 * <p>Thread-safety: one instance per channel, confined to its event loop; the {@link StalledBytes} it
 * shares is atomic.
 */
final class OutboundBackpressureHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(OutboundBackpressureHandler.class.getName());

    private final StalledBytes stalled;
    private long counted;

    OutboundBackpressureHandler(StalledBytes stalled) {
        this.stalled = stalled;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        if (ch.isWritable()) {
            uncount();
            ch.config().setAutoRead(true);
        } else {
            ch.config().setAutoRead(false);
            if (counted == 0) {
                long pending = pendingBytes(ch);
                if (!stalled.tryAdd(pending)) {
                    LOG.log(
                            Level.FINE,
                            "HTTP responses pending on unwritable connections over " + stalled.budget()
                                    + " bytes, closing a slow reader");
                    ctx.close();
                } else {
                    counted = pending;
                }
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        uncount();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        uncount();
    }

    private void uncount() {
        if (counted != 0) {
            stalled.remove(counted);
            counted = 0;
        }
    }

    private static long pendingBytes(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        // At least 1: a stalled connection is counted once even if its buffer was just cleared.
        return Math.max(1, out == null ? 0 : out.totalPendingWriteBytes());
    }

    /**
     * The bytes pending on stalled HTTP connections, against a budget.
     *
     * <p>Thread-safety: safe from any thread (an atomic).
     */
    static final class StalledBytes {
        private final long budget;
        private final AtomicLong total = new AtomicLong();

        /** @param budget bytes pending on stalled connections at most, at least 1 */
        StalledBytes(long budget) {
            if (budget < 1) {
                throw new IllegalArgumentException("budget must be positive, got " + budget);
            }
            this.budget = budget;
        }

        /** Counts {@code bytes} unless the total is already over the budget. */
        boolean tryAdd(long bytes) {
            for (; ; ) {
                long t = total.get();
                if (t >= budget) {
                    return false;
                }
                if (total.compareAndSet(t, t + bytes)) {
                    return true;
                }
            }
        }

        void remove(long bytes) {
            total.addAndGet(-bytes);
        }

        /** Bytes counted now. */
        long total() {
            return total.get();
        }

        long budget() {
            return budget;
        }
    }
}
