package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose current request is not read completely within the header timeout: the
 * clock starts when the connection is accepted and, between keep-alive requests, at the first byte of
 * the next request; it stops at the request's last content. Slowloris clients (a byte every few
 * seconds) are cut off while an idle keep-alive connection is governed by the (much longer) idle
 * timeout only.
 *
 * <p>Two handlers share the state: this one sits before the HTTP codec and sees raw bytes, its
 * {@link #requestComplete()} companion sits after the codec and sees decoded requests.
 *
 * <pre>{@code
 * RequestReadTimeoutHandler timeout = new RequestReadTimeoutHandler(headerTimeoutMillis);
 * p.addLast(timeout);
 * p.addLast(new HttpServerCodec(decoderConfig));
 * p.addLast(timeout.requestComplete());
 * }</pre>
 *
 * <p>Thread-safety: one instance (and companion) per channel; confined to the channel's event loop.
 */
final class RequestReadTimeoutHandler extends ChannelDuplexHandler {
    private final long timeoutMillis;
    private ScheduledFuture<?> timer;
    private boolean betweenRequests;

    RequestReadTimeoutHandler(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (betweenRequests && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            betweenRequests = false;
            arm(ctx);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> ctx.close(), timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The companion to add after the HTTP codec: it stops the clock at each request's last content. */
    ChannelInboundHandlerAdapter requestComplete() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                // Headers alone do not stop the clock: a body (bounded by the aggregator) still counts.
                if (msg instanceof LastHttpContent) {
                    disarm();
                    betweenRequests = true;
                }
                super.channelRead(ctx, msg);
            }
        };
    }
}
