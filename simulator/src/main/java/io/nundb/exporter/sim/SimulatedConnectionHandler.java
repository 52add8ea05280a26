package io.nundb.exporter.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One TCP session of a {@link SimulatedNode}, with the real server's framing and write timing
 * ({@code tcp_ops.rs} l.57-135, spec §1.3): greeting on accept; one command per {@code \n} line;
 * all complete lines of a read are processed before anything is written; then every queued message
 * is written and flushed separately (TCP_NODELAY is off on the child channel, so Nagle holds the
 * later ones until the client ACKs). A fragment without {@code \n} left when the read completes is
 * discarded; a line that is not UTF-8 gets no reply. Status lines are dropped while more than 100
 * messages are queued (futures-channel sender parking, spec §1.3 "Pipelining").
 *
 * <pre>{@code p.addLast(new SimulatedConnectionHandler(node));}</pre>
 *
 * <p>Thread-safety: per channel, confined to the node's event loop. An instance without a context
 * is the node's internal session (synthetic load): its replies are discarded.
 */
final class SimulatedConnectionHandler extends ChannelInboundHandlerAdapter {
    static final String GREETING = "ok \n";
    private static final int QUEUE_PARK_THRESHOLD = 100;

    private final SimulatedNode node;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private ChannelHandlerContext ctx;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean reading;
    private boolean parked;
    private boolean greeted;
    private boolean flushScheduled;
    private ScheduledFuture<?> streamTask;

    // Session state (spec §2).
    boolean authenticated;
    SimulatedDatabase database;

    SimulatedConnectionHandler(SimulatedNode node) {
        this.node = node;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        node.connectionAccepted();
        if (node.closeOnAccept) {
            ctx.close();
            return;
        }
        node.connections.add(this);
        if (node.stopped) {
            ctx.channel().config().setAutoRead(false);
        } else {
            greet();
        }
        if (node.streamWithoutNewline) {
            startStreaming();
        }
    }

    /** 16 KiB of {@code x} every 10 ms, never a newline, until the fault is off or the channel closes. */
    void startStreaming() {
        if (ctx == null || streamTask != null) {
            return;
        }
        byte[] chunk = new byte[16 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        streamTask = ctx.executor().scheduleAtFixedRate(() -> streamChunk(chunk), 0, 10, TimeUnit.MILLISECONDS);
    }

    private void streamChunk(byte[] chunk) {
        if (!node.streamWithoutNewline || !ctx.channel().isActive()) {
            streamTask.cancel(false);
            streamTask = null;
            return;
        }
        if (ctx.channel().isWritable()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(chunk));
        }
    }

    private void greet() {
        greeted = true;
        write(GREETING);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            reading = true;
            while (in.isReadable()) {
                int nl = in.bytesBefore((byte) '\n');
                if (nl < 0) {
                    append(in, in.readableBytes());
                    break;
                }
                append(in, nl);
                in.skipBytes(1);
                byte[] bytes = Arrays.copyOf(line, lineLength);
                lineLength = 0;
                String decoded = decode(bytes);
                if (decoded != null && node.alive) {
                    node.execute(this, decoded);
                }
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (node.discardPartialLines) {
            // tcp_ops.rs: read_line on a non-blocking socket drops the fragment read so far (§1.3).
            lineLength = 0;
        }
        flushQueue();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // At EOF the real server exits without flushing its queue (§1.3 "Half-close loses replies").
        queue.clear();
        node.connections.remove(this);
        node.disconnected(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void append(ByteBuf in, int n) {
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
        }
        in.readBytes(line, lineLength, n);
        lineLength += n;
    }

    private String decode(byte[] bytes) {
        try {
            return utf8.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null; // §1.3: a line that is not valid UTF-8 is dropped without any reply
        }
    }

    /** Queues a payload message; never refused (a fresh sender clone in the real server). */
    void payload(String message) {
        if (ctx != null) {
            queue.add(message);
        }
    }

    /** Queues a status line through the connection's original, parkable sender. */
    void status(String message) {
        if (ctx == null) {
            return;
        }
        if (node.pipelineOverflow && parked) {
            return;
        }
        if (node.statusLinesToSkip.get() > 0 && node.statusLinesToSkip.getAndDecrement() > 0) {
            return;
        }
        queue.add(message);
        if (queue.size() > QUEUE_PARK_THRESHOLD) {
            parked = true;
        }
    }

    /** Queues a watch push and writes it at once if the connection is not reading. */
    void push(String message) {
        if (ctx != null) {
            queue.add(message);
            flushQueue();
        }
    }

    void flushQueue() {
        if (ctx == null || reading || !greeted || node.stopped || queue.isEmpty()) {
            return;
        }
        long delayNanos = node.replyDelayNanos;
        if (delayNanos > 0) {
            if (!flushScheduled) {
                flushScheduled = true;
                ctx.executor()
                        .schedule(
                                () -> {
                                    flushScheduled = false;
                                    drain();
                                },
                                delayNanos,
                                TimeUnit.NANOSECONDS);
            }
            return;
        }
        drain();
    }

    private void drain() {
        if (node.stopped || !ctx.channel().isActive()) {
            return;
        }
        String m;
        while ((m = queue.poll()) != null) {
            write(m);
        }
        parked = false;
    }

    private void write(String message) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
    }

    /** SIGCONT: greet if the accept happened while stopped, read again, write what queued up. */
    void resume() {
        if (ctx == null) {
            return;
        }
        if (!greeted) {
            greeted = true;
            queue.addFirst(GREETING);
        }
        ctx.channel().config().setAutoRead(true);
        flushQueue();
    }

    void pauseReading() {
        if (ctx != null) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    void reset() {
        if (ctx != null) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        }
    }
}
