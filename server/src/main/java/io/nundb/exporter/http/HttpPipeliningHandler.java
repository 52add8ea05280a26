package io.nundb.exporter.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Passes one request at a time to the handlers after it: a request that arrives (pipelined) while the
 * previous one is unanswered is held until that response's last content is written, so responses keep
 * the order of their requests although the handlers after this one answer some of them later, from
 * another thread's result (a render, a page built off the event loop, a bcrypt verification). The
 * handlers after it may therefore be {@code @Sharable} and keep no per-request state.
 *
 * <pre>{@code
 * p.addLast(new HttpObjectAggregator(maxRequestBody));
 * p.addLast(new HttpPipeliningHandler()); // after the aggregator: one FullHttpRequest per request
 * p.addLast(router);
 * }</pre>
 *
 * <p>Every request passed on must be answered with exactly one response ending in a
 * {@link LastHttpContent} (a {@code FullHttpResponse}), or the connection closed. Held requests are
 * released when the connection closes. Allocation-free unless a request is held (then one task per
 * resumption).
 *
 * <p>Limits, so that a client that pipelines and never reads cannot make the exporter buffer responses
 * without end: no request is passed on while the channel is not writable (its outbound buffer is over
 * the high water mark), they are held until it becomes writable again; and a connection with more
 * than {@value #MAX_HELD} requests held is closed (one read of 64 KiB can decode two thousand pipelined
 * requests; no scraper pipelines more than a few).
 *
 * <p>Thread-safety: one instance per channel; confined to the channel's event loop.
 */
final class HttpPipeliningHandler extends ChannelDuplexHandler {
    /** Requests held per connection at most; one more closes it. */
    static final int MAX_HELD = 32;

    private static final Logger LOG = Logger.getLogger(HttpPipeliningHandler.class.getName());

    private final ArrayDeque<Object> held = new ArrayDeque<>(2);
    private boolean inFlight;
    private boolean resumeScheduled;
    private ChannelHandlerContext ctx;
    private final Runnable resume = this::resume;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // While unwritable the response would only add to the outbound buffer: hold the request until
        // channelWritabilityChanged.
        if (inFlight || !held.isEmpty() || !ctx.channel().isWritable()) {
            if (held.size() >= MAX_HELD) {
                ReferenceCountUtil.release(msg);
                if (ctx.channel().isActive()) {
                    LOG.log(Level.FINE, "more than " + MAX_HELD + " pipelined requests unanswered, closing");
                    ctx.close();
                }
                return;
            }
            held.add(msg);
            return;
        }
        inFlight = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean last = msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (last && inFlight) {
            inFlight = false;
            scheduleResume();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            scheduleResume();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void scheduleResume() {
        if (!held.isEmpty() && !resumeScheduled) {
            // Not from here: the writer is still inside its own channelRead or listener.
            resumeScheduled = true;
            try {
                ctx.executor().execute(resume);
            } catch (RejectedExecutionException e) { // the event loop is shutting down
                releaseHeld();
            }
        }
    }

    private void resume() {
        resumeScheduled = false;
        Object next;
        if (!inFlight && ctx.channel().isActive() && ctx.channel().isWritable() && (next = held.poll()) != null) {
            inFlight = true;
            ctx.fireChannelRead(next);
        }
    }

    /** Requests held back, waiting for the response before them. */
    int held() {
        return held.size();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        Object m;
        while ((m = held.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }
}
