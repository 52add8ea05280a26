package io.nundb.exporter.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.nundb.exporter.model.CanaryIgnoreReason;
import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbLine;
import io.nundb.exporter.protocol.NunDbRequest;
import io.nundb.exporter.protocol.NunDbRequestEncoder;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.SingleWriterTiming;
import io.nundb.exporter.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * The replication canary's connection to one Nun-db node, separate from the poll connection and reset
 * independently of it (the server drops a connection's watches when it closes): greeting, {@code auth},
 * {@code use-db <canary-db> <token>}, {@code watch <key>}. On the node that claims primary the same
 * connection writes the canary ({@code set <key> <instance>.<seq>.<nanos>}), creating the database first
 * if it is missing.
 *
 * <p>Lag: a {@code changed <key> <value>} push carrying this exporter's instance id is one sample, the
 * monotonic time from the write (the nanos in the value, taken on the primary's loop just before the
 * line is written) to the push's arrival, recorded into a {@link SingleWriterTiming} on this loop. The
 * {@code changed-version} line that follows is ignored (a second small write that Nagle can delay).
 * Canaries the coordinator expects on this node are kept with their write time; one not seen within
 * {@link CanaryConfig#timeout()} is lost, also across a reset of the watch connection: only a push seen
 * to arrive proves the write arrived. Expectations are registered only while the connection watches.
 *
 * <p>Allocation: a push is decoded into a {@code String} (one per canary interval, off the poll path);
 * recording the sample allocates nothing.
 *
 * <p>Thread-safety: everything runs on the node's event loop ({@link #eventLoop()}), the same loop as
 * its {@link NodeClient}; {@link #write}, {@link #expect}, {@link #discard} and {@link #stop} hand off to
 * it. {@link #writable()} and {@link #watching()} read volatile flags from any thread.
 */
final class CanaryNode implements NodeChannelHandler.Connection {
    private static final Logger LOG = Logger.getLogger(CanaryNode.class.getName());

    private enum State {
        IDLE,
        CONNECTING,
        GREETING,
        AUTHENTICATING,
        SELECTING,
        NO_DB,
        WATCHING,
        READY,
        STOPPED
    }

    private final String label;
    private final NodeAddress dial;
    private final ClientConfig client;
    private final CanaryConfig canary;
    private final EventLoop loop;
    private final Transport transport;
    private final TimeSource time;
    private final CanaryCounters counters;
    private final LongConsumer writeFailed;
    private final SingleWriterTiming lag;
    private final Backoff backoff;

    // Written only on `loop`.
    private State state = State.IDLE;
    private Channel channel;
    private long connectionId;
    private final ArrayDeque<Request> inFlight = new ArrayDeque<>();
    private ScheduledFuture<?> handshakeTask;
    private ScheduledFuture<?> retryTask;
    private final long[] requests = new long[NunDbCommand.values().length];
    private final ArrayDeque<long[]> expected = new ArrayDeque<>();
    private long pendingWriteSeq = -1;
    /** The last canaries written on this node (ticks can bunch up after a stall), -1 for none. */
    private final long[] ownWrites = {-1, -1, -1, -1, -1, -1, -1, -1};

    private int ownWriteNext;
    private long lastSeenSeq = -1;
    private long lastLagNanos = -1;
    private long lastAppliedEpochMillis;
    private long lost;

    private volatile boolean writable;
    private volatile boolean watching;

    /**
     * @param label the node's name at creation, for log lines only
     * @param dial where the node listens
     * @param writeFailed called on this loop with the sequence number of a canary write that failed
     */
    CanaryNode(
            String label,
            NodeAddress dial,
            ClientConfig client,
            CanaryConfig canary,
            RequestTimingConfig timingConfig,
            EventLoop loop,
            Transport transport,
            TimeSource time,
            CanaryCounters counters,
            LongConsumer writeFailed) {
        this.label = label;
        this.dial = dial;
        this.client = client;
        this.canary = canary;
        this.loop = loop;
        this.transport = transport;
        this.time = time;
        this.counters = counters;
        this.writeFailed = writeFailed;
        this.lag = new SingleWriterTiming(timingConfig, time::nanoTime);
        this.backoff = new Backoff(
                client.backoffInitial(),
                client.backoffMax(),
                0.2,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    EventLoop eventLoop() {
        return loop;
    }

    /** Whether the connection is authenticated, so that it can write (creating the database if needed). */
    boolean writable() {
        return writable;
    }

    /** Whether the connection watches the canary key. */
    boolean watching() {
        return watching;
    }

    void start() {
        loop.execute(this::connect);
    }

    void stop() {
        loop.execute(() -> {
            close();
            expected.clear();
            state = State.STOPPED;
        });
    }

    /** Writes canary {@code seq} on this node (it claims primary); a failure is reported to the coordinator. */
    void write(long seq) {
        loop.execute(() -> {
            if (state == State.READY) {
                doWrite(seq);
            } else if (state == State.NO_DB) {
                pendingWriteSeq = seq;
                createDb();
            } else {
                writeFailed.accept(seq);
            }
        });
    }

    /** Expects canary {@code seq}, written at {@code writtenNanos}, to arrive on this node. */
    void expect(long seq, long writtenNanos) {
        loop.execute(() -> {
            if (state == State.READY && seq > lastSeenSeq) {
                expected.addLast(new long[] {seq, writtenNanos});
            }
        });
    }

    /** Forgets canary {@code seq}: the primary that took it failed over before it could be seen. */
    void discard(long seq) {
        loop.execute(() -> {
            for (Iterator<long[]> it = expected.iterator(); it.hasNext(); ) {
                if (it.next()[0] == seq) {
                    it.remove();
                }
            }
        });
    }

    /** The canary state of this node; on the loop only (called from the node client's snapshot). */
    CanarySnapshot snapshot() {
        assert loop.inEventLoop() : "canary snapshot off the owning loop";
        long now = time.nanoTime();
        expire(now);
        long current = lastLagNanos;
        long[] oldest = expected.peekFirst();
        if (oldest != null) {
            current = Math.max(current, now - oldest[1]);
        }
        return new CanarySnapshot(
                lag.count() == 0 ? null : lag.snapshot(),
                lastLagNanos < 0 ? Double.NaN : lastLagNanos / 1e9,
                lastAppliedEpochMillis,
                current < 0 ? Double.NaN : current / 1e9,
                lost,
                requests);
    }

    private void expire(long now) {
        long timeout = canary.timeout().toNanos();
        long[] head;
        while ((head = expected.peekFirst()) != null && now - head[1] > timeout) {
            expected.pollFirst();
            lost++;
        }
    }

    // ---------------------------------------------------------------- connection

    private void connect() {
        if (state != State.IDLE || counters.tokenRejected()) {
            return;
        }
        state = State.CONNECTING;
        long id = ++connectionId;
        // Pushes on: this connection watches the canary key.
        Bootstrap b = ReplyDecoding.bootstrap(
                loop,
                transport,
                client,
                p -> p.addLast("decoder", ReplyDecoding.newDecoder(client, true))
                        .addLast("encoder", NunDbRequestEncoder.INSTANCE)
                        .addLast("canary", new NodeChannelHandler(this, id)));
        handshakeTask = loop.schedule(
                () -> {
                    if (id == connectionId && (state == State.CONNECTING || state == State.GREETING)) {
                        reset();
                    }
                },
                client.connectTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        ChannelFuture f = b.connect(dial.host(), dial.port());
        channel = f.channel();
        f.addListener(future -> {
            if (id != connectionId) {
                return;
            }
            if (future.isSuccess()) {
                state = State.GREETING;
            } else {
                reset();
            }
        });
    }

    /** Closes the connection and reconnects after the backoff delay. */
    private void reset() {
        close();
        if (counters.tokenRejected()) {
            state = State.STOPPED;
            return;
        }
        state = State.IDLE;
        loop.schedule(this::connect, backoff.nextDelayNanos(), TimeUnit.NANOSECONDS);
    }

    private void close() {
        connectionId++;
        cancel(handshakeTask);
        cancel(retryTask);
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
        Request r;
        while ((r = inFlight.pollFirst()) != null) {
            cancel(r.deadline);
            if (r.writeSeq >= 0) {
                writeFailed.accept(r.writeSeq); // Unknown whether it was applied: discarded, not lost.
            }
        }
        if (pendingWriteSeq >= 0) {
            writeFailed.accept(pendingWriteSeq);
            pendingWriteSeq = -1;
        }
        writable = false;
        watching = false;
    }

    @Override
    public void onLine(long id, NunDbLine line) {
        if (id != connectionId) {
            return;
        }
        NunDbLine.Kind kind = line.kind();
        if (kind == NunDbLine.Kind.CHANGED) {
            onChanged(line.content());
            return;
        }
        if (kind.isPush()) {
            return;
        }
        if (state == State.GREETING) {
            if (kind == NunDbLine.Kind.OK) {
                cancel(handshakeTask);
                state = State.AUTHENTICATING;
                authenticate();
            } else {
                reset();
            }
            return;
        }
        Request head = inFlight.peekFirst();
        if (head == null) {
            reset();
            return;
        }
        if (kind == NunDbLine.Kind.PAYLOAD) {
            if (ReplyDecoding.startsWith(line.content(), "invalid auth")) {
                head.refused = true;
            }
            return;
        }
        inFlight.pollFirst();
        cancel(head.deadline);
        String error = kind == NunDbLine.Kind.ERROR ? line.content().toString(StandardCharsets.UTF_8) : null;
        head.callback.done(error == null && !head.refused, error);
    }

    // ---------------------------------------------------------------- handshake

    private void authenticate() {
        NunDbRequest auth;
        try {
            auth = NunDbRequest.of(
                    NunDbCommand.AUTH, client.user(), client.password().get());
        } catch (IllegalArgumentException e) {
            reset();
            return;
        }
        send(auth, (ok, error) -> {
            if (ok) {
                backoff.reset();
                writable = true;
                selectDb();
            } else {
                // The poll connection reports the credentials; here only retry on the backoff schedule.
                reset();
            }
        });
    }

    private NunDbRequest withToken(NunDbCommand command) {
        try {
            return NunDbRequest.of(command, canary.database(), canary.token().get());
        } catch (IllegalArgumentException e) {
            // The message names the rule, never the value.
            LOG.warning("the canary token cannot be sent as one token: " + e.getMessage() + "; canary stopped");
            tokenRejected();
            return null;
        }
    }

    private void selectDb() {
        state = State.SELECTING;
        NunDbRequest useDb = withToken(NunDbCommand.USE_DB);
        if (useDb == null) {
            return;
        }
        send(useDb, (ok, error) -> {
            if (ok) {
                watch();
            } else if (error != null && error.startsWith("Invalid token")) {
                LOG.warning(() -> "node " + label + " rejected the canary token for database " + canary.database()
                        + "; the replication canary is stopped (skipped reason canary_token)");
                tokenRejected();
            } else if (error != null && error.startsWith("Not a valid database name")) {
                state = State.NO_DB;
                if (pendingWriteSeq >= 0) {
                    createDb();
                } else {
                    // Replication brings the database once the primary created it.
                    retryTask =
                            loop.schedule(this::retrySelect, canary.interval().toNanos(), TimeUnit.NANOSECONDS);
                }
            } else {
                reset();
            }
        });
    }

    private void retrySelect() {
        if (state == State.NO_DB) {
            selectDb();
        }
    }

    private void createDb() {
        cancel(retryTask);
        state = State.SELECTING;
        NunDbRequest create = withToken(NunDbCommand.CREATE_DB);
        if (create == null) {
            return;
        }
        send(create, (ok, error) -> {
            if (ok || (error != null && error.startsWith("database already exists"))) {
                if (ok) {
                    LOG.info(() -> "created the canary database " + canary.database() + " on " + label);
                }
                selectDb();
            } else {
                // Not the primary any more (or still electing): the coordinator tries again next interval.
                state = State.NO_DB;
                failPendingWrite();
                retryTask = loop.schedule(this::retrySelect, canary.interval().toNanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    private void watch() {
        state = State.WATCHING;
        send(NunDbRequest.of(NunDbCommand.WATCH, canary.key()), (ok, error) -> {
            if (!ok) {
                reset();
                return;
            }
            state = State.READY;
            watching = true;
            if (pendingWriteSeq >= 0) {
                long seq = pendingWriteSeq;
                pendingWriteSeq = -1;
                doWrite(seq);
            }
        });
    }

    private void tokenRejected() {
        counters.rejectToken();
        close();
        state = State.STOPPED;
    }

    private void failPendingWrite() {
        if (pendingWriteSeq >= 0) {
            long seq = pendingWriteSeq;
            pendingWriteSeq = -1;
            writeFailed.accept(seq);
        }
    }

    // ---------------------------------------------------------------- canary

    private void doWrite(long seq) {
        long nanos = time.nanoTime();
        NunDbRequest set = NunDbRequest.of(NunDbCommand.SET, canary.key(), canary.instance() + "." + seq + "." + nanos);
        ownWrites[ownWriteNext] = seq;
        ownWriteNext = (ownWriteNext + 1) % ownWrites.length;
        Request r = send(set, (ok, error) -> {
            if (ok) {
                counters.written();
            } else {
                writeFailed.accept(seq);
            }
        });
        if (r == null) {
            writeFailed.accept(seq);
        } else {
            r.writeSeq = seq;
        }
    }

    /** A {@code changed <key> <value>} push; {@code content} is {@code <key> <value>}. */
    private void onChanged(ByteBuf content) {
        long now = time.nanoTime();
        String line = content.toString(StandardCharsets.UTF_8);
        int space = line.indexOf(' ');
        String key = space < 0 ? line : line.substring(0, space);
        if (!key.equals(canary.key())) {
            return;
        }
        String value = space < 0 ? "" : line.substring(space + 1);
        int first = value.indexOf('.');
        int second = first < 0 ? -1 : value.indexOf('.', first + 1);
        long seq;
        long writtenNanos;
        try {
            if (first <= 0 || second < 0) {
                throw new NumberFormatException();
            }
            seq = Long.parseLong(value, first + 1, second, 10);
            writtenNanos = Long.parseLong(value, second + 1, value.length(), 10);
        } catch (NumberFormatException e) {
            counters.ignored(CanaryIgnoreReason.UNPARSABLE);
            return;
        }
        if (!value.regionMatches(0, canary.instance(), 0, first)
                || first != canary.instance().length()) {
            counters.ignored(CanaryIgnoreReason.FOREIGN);
            return;
        }
        long elapsed = now - writtenNanos;
        if (seq < 0 || elapsed < 0) {
            counters.ignored(CanaryIgnoreReason.UNPARSABLE);
            return;
        }
        if (seq <= lastSeenSeq) {
            return; // A repeat (a secondary's echo of the write, spec §5.3).
        }
        lastSeenSeq = seq;
        for (Iterator<long[]> it = expected.iterator(); it.hasNext(); ) {
            if (it.next()[0] == seq) {
                it.remove();
            }
        }
        for (long own : ownWrites) {
            if (own == seq) {
                return; // This node took the write: its own watcher's push is no replication.
            }
        }
        lag.record(elapsed, now);
        lastLagNanos = elapsed;
        lastAppliedEpochMillis = time.currentTimeMillis();
    }

    // ---------------------------------------------------------------- requests

    /** Sends one request; returns it, or {@code null} (and resets) when the connection is gone. */
    private Request send(NunDbRequest request, Callback callback) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            reset();
            return null;
        }
        Request r = new Request(callback);
        long id = connectionId;
        r.deadline = loop.schedule(
                () -> {
                    if (id == connectionId && inFlight.contains(r)) {
                        reset();
                    }
                },
                client.requestTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        inFlight.addLast(r);
        requests[request.command().ordinal()]++;
        ch.writeAndFlush(request, ch.voidPromise());
        return r;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "CanaryNode(" + label + ")";
    }

    /** The end of one request: ok, or the error message (never logged: it may quote input). */
    private interface Callback {
        void done(boolean ok, String error);
    }

    /** A request on the wire. Loop-confined. */
    private static final class Request {
        final Callback callback;
        ScheduledFuture<?> deadline;
        boolean refused;
        long writeSeq = -1;

        Request(Callback callback) {
            this.callback = callback;
        }
    }

    @Override
    public void onClosed(long id) {
        if (id == connectionId && state != State.STOPPED) {
            reset();
        }
    }

    @Override
    public void onException(long id, Throwable cause) {
        // Never log the message: a decoder exception may quote reply bytes (user data).
        LOG.fine(() ->
                "canary connection to " + label + " failed: " + cause.getClass().getSimpleName());
        if (id == connectionId) {
            reset();
        }
    }
}
