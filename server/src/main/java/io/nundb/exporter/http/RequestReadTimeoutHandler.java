package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose current request is not read completely within the header timeout: the
 * clock starts when the connection is accepted and, between keep-alive requests, at the first byte of
 * the next request, also when that byte came in the same read as the end of the previous request (a
 * complete request followed by a partial one in one packet); it stops at the request's last content.
 * Slowloris clients (a byte every few seconds) are cut off while an idle keep-alive connection is
 * governed by the (much longer) idle timeout only.
 *
 * <p>Two handlers share the state: this one sits before the HTTP codec and sees raw bytes, its
 * {@link #requestComplete()} companion sits after the codec and sees decoded requests. Whether bytes
 * of a next request are left after a request completed within a read: the codec decodes a read
 * synchronously and, when it held no earlier bytes, decodes in the read's own buffer, so bytes still
 * readable there after it returns are the start of the next request; when the codec merged the read
 * into bytes it held, a read that does not end with the blank line ending a header block is taken as
 * the start of one (a request with a body ending a read then gets the header timeout as its idle limit:
 * only GET and HEAD are served).
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
    /** Whether the codec kept bytes of an unfinished request after the last read. */
    private boolean codecHoldsBytes;

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
        if (!(msg instanceof ByteBuf) || !((ByteBuf) msg).isReadable()) {
            super.channelRead(ctx, msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (betweenRequests) {
            betweenRequests = false;
            arm(ctx);
        }
        boolean merged = codecHoldsBytes;
        in.retain(); // read after the codec consumed (and released) it
        try {
            super.channelRead(ctx, msg);
            // A request completed in this read (the companion disarmed): is a next one started?
            boolean leftover = merged ? !endsWithBlankLine(in) : in.isReadable();
            if (betweenRequests && leftover) {
                betweenRequests = false;
                arm(ctx);
            }
            codecHoldsBytes = merged ? timer != null : in.isReadable();
        } finally {
            in.release();
        }
    }

    /** Whether the bytes end with CRLF CRLF (or LF LF), the end of a header block. */
    private static boolean endsWithBlankLine(ByteBuf b) {
        int end = b.writerIndex();
        if (end - b.readerIndex() >= 2 && b.getByte(end - 1) == '\n' && b.getByte(end - 2) == '\n') {
            return true;
        }
        return end - b.readerIndex() >= 4
                && b.getByte(end - 1) == '\n'
                && b.getByte(end - 2) == '\r'
                && b.getByte(end - 3) == '\n'
                && b.getByte(end - 4) == '\r';
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
                } else if (msg instanceof HttpRequest && timer == null) { // started after another in one read
                    betweenRequests = false;
                    arm(ctx);
                }
                super.channelRead(ctx, msg);
            }
        };
    }
}
