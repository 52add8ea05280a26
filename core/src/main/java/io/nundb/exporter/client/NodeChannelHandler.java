package io.nundb.exporter.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.nundb.exporter.protocol.NunDbLine;

/**
 * Hands every decoded line of one Nun-db connection (a node's poll connection or its canary
 * connection) to its {@link NodeConnection} and tells it when the connection ends. The last handler of
 * the pipeline:
 *
 * <pre>{@code
 * p.addLast("decoder", new NunDbReplyDecoder(config));
 * p.addLast("encoder", NunDbRequestEncoder.INSTANCE);
 * p.addLast("node", new NodeChannelHandler(connection, connectionId));
 * }</pre>
 *
 * <p>It re-arms TCP_QUICKACK after every read so that the delayed-ACK timer never holds back the
 * server's next small write: the real server sends every message separately without TCP_NODELAY, and
 * a client that delays its ACK sees each status line ~44 ms late (spec §1.3, measured remedy).
 *
 * <p>Thread-safety: per channel; runs on the node's event loop like the connection it calls. Each
 * call carries the id of the channel's attempt, so that events of a channel the connection already
 * gave up on are ignored.
 */
final class NodeChannelHandler extends ChannelInboundHandlerAdapter {
    private final NodeConnection client;
    private final long connectionId;

    NodeChannelHandler(NodeConnection client, long connectionId) {
        this.client = client;
        this.connectionId = connectionId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NunDbLine line)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            client.onLine(connectionId, line);
        } finally {
            line.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        QuickAck.rearm(ctx.channel());
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.onClosed(connectionId);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.onException(connectionId, cause);
        ctx.close();
    }
}
