package io.nundb.exporter.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes the connection when the {@code IdleStateHandler} reports it idle for the keep-alive timeout,
 * and when any handler before it failed (logged at FINE: a reset client is routine). Last in the
 * pipeline, so every exception and user event reaches it.
 *
 * <pre>{@code
 * p.addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
 * ...
 * p.addLast(pages);
 * p.addLast(closeOnIdleOrError); // last
 * }</pre>
 *
 * <p>Thread-safety: stateless; {@link Sharable}.
 */
@Sharable
final class ConnectionCloseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ConnectionCloseHandler.class.getName());

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "HTTP connection error, closing: " + cause);
        ctx.close();
    }
}
