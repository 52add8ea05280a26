package io.nundb.exporter.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.nundb.exporter.protocol.NunDbLine;

/**
 * Hands every decoded line of one Nun-db connection (a node's poll connection or its canary
 * connection) to its owner and tells it when the connection ends. The last handler of the pipeline:
 *
 * <pre>{@code
 * p.addLast("decoder", new NunDbReplyDecoder(config));
 * p.addLast("encoder", new NunDbRequestEncoder());
 * p.addLast("node", new NodeChannelHandler(client, connectionId));
 * }</pre>
 *
 * <p>It re-arms TCP_QUICKACK after every read so that the delayed-ACK timer never holds back the
 * server's next small write: the real server sends every message separately without TCP_NODELAY, and
 * a client that delays its ACK sees each status line ~44 ms late (spec §1.3, measured remedy).
 *
 * <p>Thread-safety: per channel; runs on the node's event loop like the client it calls.
 */
final class NodeChannelHandler extends ChannelInboundHandlerAdapter {
    /** The owner of a connection; called on the node's event loop with the connection's id. */
    interface Connection {
        void onLine(long connectionId, NunDbLine line);

        void onClosed(long connectionId);

        void onException(long connectionId, Throwable cause);
    }

    private final Connection client;
    private final long connectionId;

    NodeChannelHandler(Connection client, long connectionId) {
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
