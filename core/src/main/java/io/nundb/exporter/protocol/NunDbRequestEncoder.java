package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes each {@link NunDbRequest} as exactly one buffer holding its whole line ({@code \n}
 * included), sized to the line. The caller flushes: several requests written before one flush leave
 * in one TCP write, and a line is never split across two writes by this handler (the real server
 * loses the first part of a line that arrives in fragments, spec §1.3). Lines are at most {@link
 * NunDbRequest#MAX_LINE_BYTES} bytes, validated when the request is built.
 *
 * <pre>{@code
 * p.addLast("decoder", new NunDbReplyDecoder(config));
 * p.addLast("encoder", NunDbRequestEncoder.INSTANCE);
 * }</pre>
 *
 * <p>Allocates one buffer per request from the channel's allocator.
 *
 * <p>Thread-safety: stateless and {@code @Sharable}.
 */
@Sharable
public final class NunDbRequestEncoder extends MessageToByteEncoder<NunDbRequest> {
    /** The shared instance. */
    public static final NunDbRequestEncoder INSTANCE = new NunDbRequestEncoder();

    private NunDbRequestEncoder() {
        super(NunDbRequest.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, NunDbRequest msg, boolean preferDirect) {
        int length = msg.length();
        return preferDirect ? ctx.alloc().ioBuffer(length, length) : ctx.alloc().heapBuffer(length, length);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, NunDbRequest msg, ByteBuf out) {
        msg.writeTo(out);
    }
}
