package io.nundb.exporter.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.LineAccumulator;
import io.nundb.exporter.protocol.ListDbsParser;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbLine;
import io.nundb.exporter.protocol.NunDbRequest;
import io.nundb.exporter.protocol.PendingOpsAggregator;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.ProcessInfoParser;
import io.nundb.exporter.protocol.ReplyParseException;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import io.nundb.exporter.transport.Transport;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * One Nun-db node as the exporter sees it: a persistent, authenticated TCP connection used for polling,
 * the values of its last successful poll, and its counters. Everything here is pinned to one
 * {@link EventLoop} for the node's whole life ({@code bootstrap.group(loop)}), so connections, decoders,
 * counters and accumulators have a single writer across reconnects and no locks.
 *
 * <p>Protocol handling (spec §1.3): the greeting {@code "ok \n"} is awaited, then {@code auth}; requests
 * are pipelined up to {@link ClientConfig#maxInFlight()} and replies matched in order. A request that
 * misses its deadline fails for its caller but stays at the head, abandoned, and its late reply is read
 * and discarded. The connection is reset only on a line that cannot belong to the head request, on no
 * byte for {@link ClientConfig#hardTimeout()} while requests are outstanding, or on no greeting plus auth
 * within {@link ClientConfig#connectTimeout()} (a stopped process accepts TCP and never greets).
 *
 * <p>Polling: every {@link ClientConfig#pollInterval()} one cycle runs its commands one at a time
 * (lock-step), so that each is timed from the write of its line to its status line with nothing else
 * outstanding. A tick that finds the previous cycle still running is skipped and counted.
 *
 * <p>Thread-safety: all methods except {@link #snapshot()} and the factory run on {@link #eventLoop()};
 * calls from other threads are handed to it. {@link #snapshot()} reads a volatile immutable snapshot and
 * is safe from any thread.
 */
public final class NodeClient implements NodeChannelHandler.Connection {
    private static final Logger LOG = Logger.getLogger(NodeClient.class.getName());

    private enum ConnState {
        IDLE,
        CONNECTING,
        GREETING,
        AUTHENTICATING,
        READY
    }

    private final ClientConfig config;
    private final EventLoop loop;
    private final TimeSource time;
    private final Transport transport;
    private final NodeListener listener;
    private final Backoff backoff;
    private final SingleWriterRequestTimings timings;

    // Everything below is written only on `loop`.
    private String name;
    private NodeAddress dial;
    private boolean seed;
    private ConnState state = ConnState.IDLE;
    private Channel channel;
    private long connectionId;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    /** Requests waiting for room in the pipelining window (written in order as replies arrive). */
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();

    private long lastByteNanos;
    private ScheduledFuture<?> tickTask;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> handshakeTask;
    private boolean stopped;
    private boolean firstAttemptDone;
    private boolean undialableLogged;

    private NunDbCommand[] cycle = new NunDbCommand[8];
    private int cycleLength;
    private int cycleIndex;
    private boolean cycleInProgress;
    private long cycleStartNanos;
    private long nextSlowPollNanos;
    private long nextPendingPollNanos;
    private long pendingIntervalNanos;

    private boolean up;
    private PollErrorReason downReason = PollErrorReason.REFUSED;
    private PollErrorReason lastFailure;
    private long lastSuccessNanos;
    private long lastSuccessEpochMillis;
    private MetricsState metrics;
    private ClusterView view;
    private long processStartEpochMillis = -1;
    private boolean processInfoStale;
    private int databases = -1;
    private PendingOpsSnapshot pendingOps;
    private final long[] pollErrors = new long[PollErrorReason.values().length];
    private final long[] requests = new long[NunDbCommand.values().length];
    private long skippedTicks;
    private long lateReplies;
    private long truncatedLines;
    private long connects;
    private final PendingOpsAggregator pendingAggregator = new PendingOpsAggregator();
    private final ProcessInfoParser processInfoParser = new ProcessInfoParser();
    private final ListDbsParser listDbsParser = new ListDbsParser();
    private volatile ToLongFunction<String> processStarts = member -> -1;
    private volatile java.util.function.Supplier<io.nundb.exporter.model.CanarySnapshot> canarySource;

    private volatile NodeSnapshot published;

    NodeClient(
            String name,
            NodeAddress dial,
            boolean seed,
            ClientConfig config,
            EventLoop loop,
            Transport transport,
            TimeSource time,
            NodeListener listener,
            SingleWriterRequestTimings timings) {
        this.name = name;
        this.dial = dial;
        this.seed = seed;
        this.config = config;
        this.loop = loop;
        this.transport = transport;
        this.time = time;
        this.listener = listener;
        this.timings = timings;
        this.backoff = new Backoff(
                config.backoffInitial(),
                config.backoffMax(),
                0.2,
                () -> ThreadLocalRandom.current().nextDouble());
        this.pendingIntervalNanos = config.pendingInterval().toNanos();
        this.published = buildSnapshot();
    }

    /** The event loop this node is pinned to. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** The latest published snapshot; safe from any thread. */
    public NodeSnapshot snapshot() {
        return published;
    }

    /** Starts connecting and polling. */
    void start() {
        loop.execute(() -> {
            long interval = config.pollInterval().toNanos();
            tickTask = loop.scheduleAtFixedRate(this::tick, interval, interval, TimeUnit.NANOSECONDS);
            connect();
        });
    }

    /** Stops polling and closes the connection; the node stays as it was last published. */
    void stop() {
        loop.execute(() -> {
            stopped = true;
            cancel(tickTask);
            cancel(reconnectTask);
            cancel(handshakeTask);
            failAll();
            if (channel != null) {
                channel.close();
                channel = null;
            }
            state = ConnState.IDLE;
        });
    }

    /** Renames the node (a seed learning its own name) and marks it a seed if {@code seed}. */
    void rename(String newName, boolean asSeed) {
        loop.execute(() -> {
            if (!newName.equals(name)) {
                LOG.info(() -> "node " + name + " reports itself as " + newName);
                name = newName;
            }
            seed |= asSeed;
            publish();
        });
    }

    /**
     * Sets where member process starts (ms since the epoch, -1 if unknown) are looked up when pending
     * entries are classified; the function is called on this node's loop and must be thread-safe.
     */
    void processStarts(ToLongFunction<String> lookup) {
        processStarts = lookup;
    }

    /**
     * Sets where this node's canary state comes from; the supplier is called on this node's loop each time
     * a snapshot is published.
     */
    void canarySource(java.util.function.Supplier<io.nundb.exporter.model.CanarySnapshot> source) {
        canarySource = source;
    }

    // ---------------------------------------------------------------- connection

    private void connect() {
        if (stopped || state != ConnState.IDLE) {
            return;
        }
        if (dial == null) {
            markDown(PollErrorReason.UNDIALABLE);
            if (!undialableLogged) {
                undialableLogged = true;
                LOG.warning(() -> "node " + name + " is not a dialable host:port and no --nundb.address-map"
                        + " entry names it; reported down with reason undialable");
            }
            firstAttempt();
            publish();
            return;
        }
        state = ConnState.CONNECTING;
        long id = ++connectionId;
        Bootstrap b = ReplyDecoding.bootstrap(loop, transport, config, p -> initPipeline(p, id));
        handshakeTask = loop.schedule(
                () -> handshakeTimedOut(id), config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ChannelFuture f = b.connect(dial.host(), dial.port());
        channel = f.channel();
        f.addListener(future -> {
            if (id != connectionId) {
                return;
            }
            if (!future.isSuccess()) {
                Throwable cause = future.cause();
                PollErrorReason reason = cause instanceof UnknownHostException
                                || cause instanceof UnresolvedAddressException
                        ? PollErrorReason.UNDIALABLE
                        : cause instanceof ConnectTimeoutException ? PollErrorReason.TIMEOUT : PollErrorReason.REFUSED;
                if (!(cause instanceof ConnectException) && reason == PollErrorReason.REFUSED) {
                    LOG.fine(() -> "connect to " + name + " failed: "
                            + cause.getClass().getSimpleName());
                }
                connectionFailed(reason);
            } else {
                connects++;
                state = ConnState.GREETING;
                lastByteNanos = time.nanoTime();
            }
        });
    }

    private void initPipeline(ChannelPipeline p, long id) {
        p.addLast("decoder", ReplyDecoding.newDecoder(config));
        p.addLast("encoder", ReplyDecoding.newEncoder());
        p.addLast("node", new NodeChannelHandler(this, id));
    }

    private void handshakeTimedOut(long id) {
        if (id == connectionId && state != ConnState.READY && state != ConnState.IDLE) {
            LOG.fine(() -> "node " + name + " did not greet and authenticate within " + config.connectTimeout());
            connectionFailed(PollErrorReason.TIMEOUT);
        }
    }

    /** Closes the current connection (if any), marks the node down and schedules a reconnect. */
    private void connectionFailed(PollErrorReason reason) {
        connectionId++;
        cancel(handshakeTask);
        Channel ch = channel;
        channel = null;
        state = ConnState.IDLE;
        if (ch != null) {
            ch.close();
        }
        failAll();
        cycleInProgress = false;
        countError(reason);
        markDown(reason);
        firstAttempt();
        publish();
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopped) {
            return;
        }
        cancel(reconnectTask);
        long delay = backoff.nextDelayNanos();
        reconnectTask = loop.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onClosed(long id) {
        if (id != connectionId || stopped) {
            return;
        }
        LOG.fine(() -> "connection to " + name + " closed");
        connectionFailed(PollErrorReason.CLOSED);
    }

    @Override
    public void onException(long id, Throwable cause) {
        if (id != connectionId || stopped) {
            return;
        }
        // Never log the message of a decoder exception: it may quote reply bytes (user data).
        LOG.fine(() -> "connection to " + name + " failed: " + cause.getClass().getSimpleName());
        connectionFailed(cause instanceof java.io.IOException ? PollErrorReason.CLOSED : PollErrorReason.PROTOCOL);
    }

    // ---------------------------------------------------------------- lines

    @Override
    public void onLine(long id, NunDbLine line) {
        if (id != connectionId) {
            return;
        }
        lastByteNanos = time.nanoTime();
        if (line.truncated()) {
            truncatedLines++;
        }
        NunDbLine.Kind kind = line.kind();
        if (kind.isPush()) {
            return; // The poll connection watches nothing; pushes are not replies.
        }
        if (state == ConnState.GREETING) {
            if (kind == NunDbLine.Kind.OK) {
                state = ConnState.AUTHENTICATING;
                send(NunDbCommand.AUTH, new AuthReply());
            } else {
                protocolError("no greeting");
            }
            return;
        }
        Pending head = inFlight.peekFirst();
        if (head == null) {
            protocolError("a line with no request outstanding");
            return;
        }
        if (kind == NunDbLine.Kind.PAYLOAD) {
            if (head.abandoned) {
                return;
            }
            if (!head.reply.onPayload(line.content())) {
                protocolError("a line that cannot belong to " + head.command.wire());
            }
            return;
        }
        inFlight.pollFirst();
        cancel(head.deadline);
        if (head.abandoned) {
            lateReplies++;
            drainQueued();
            return;
        }
        long now = time.nanoTime();
        long elapsed = now - head.writtenNanos;
        if (head.lockStep && state == ConnState.READY) {
            timings.record(head.command, elapsed, now);
        }
        if (kind == NunDbLine.Kind.OK) {
            head.reply.onOk();
        } else {
            head.reply.onError(line.content().toString(java.nio.charset.StandardCharsets.UTF_8));
        }
        drainQueued();
    }

    private void protocolError(String what) {
        LOG.warning(() -> "protocol error from node " + name + ": " + what + "; resetting the connection");
        connectionFailed(PollErrorReason.PROTOCOL);
    }

    // ---------------------------------------------------------------- requests

    private boolean send(NunDbCommand command, Reply reply) {
        NunDbRequest request;
        if (command == NunDbCommand.AUTH) {
            String password = config.password().get();
            try {
                request = NunDbRequest.of(NunDbCommand.AUTH, config.user(), password);
            } catch (IllegalArgumentException e) {
                // The message names the rule, never the value.
                LOG.warning("the Nun-db user or password cannot be sent as one line: " + e.getMessage());
                connectionFailed(PollErrorReason.AUTH);
                return false;
            }
        } else {
            request = NunDbRequest.of(command);
        }
        return send(request, reply);
    }

    private boolean send(NunDbRequest request, Reply reply) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            reply.onFailed(PollErrorReason.CLOSED);
            return false;
        }
        Pending p = new Pending(request, reply);
        if (inFlight.size() >= config.maxInFlight() || !queued.isEmpty()) {
            // The pipelining window is full: the request waits its turn, unwritten (and untimed).
            queued.addLast(p);
            return true;
        }
        write(ch, p);
        return true;
    }

    /** Writes a request and starts its deadline; the window has room. */
    private void write(Channel ch, Pending p) {
        NunDbRequest request = p.request;
        p.lockStep = inFlight.isEmpty();
        for (Pending other : inFlight) {
            other.lockStep = false;
        }
        inFlight.addLast(p);
        requests[request.command().ordinal()]++;
        p.writtenNanos = time.nanoTime();
        p.deadline =
                loop.schedule(() -> deadlineMissed(p), config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ch.writeAndFlush(request, ch.voidPromise());
    }

    /** Moves queued requests into the window as status lines free it. */
    private void drainQueued() {
        Channel ch = channel;
        Pending p;
        while (ch != null && inFlight.size() < config.maxInFlight() && (p = queued.pollFirst()) != null) {
            write(ch, p);
        }
    }

    private void deadlineMissed(Pending p) {
        if (p.abandoned || !inFlight.contains(p)) {
            return;
        }
        p.abandoned = true;
        p.reply.onFailed(PollErrorReason.TIMEOUT);
    }

    /** Drops every outstanding request when the connection ends; poll cycles are reset by the caller. */
    private void failAll() {
        Pending p;
        while ((p = queued.pollFirst()) != null) {
            p.reply.onAbort();
        }
        while ((p = inFlight.pollFirst()) != null) {
            cancel(p.deadline);
            if (!p.abandoned) {
                p.reply.onAbort();
            }
        }
    }

    /**
     * Pipelines {@code count} requests, alternating {@code metrics-state} and {@code cluster-state}, with
     * up to {@link ClientConfig#maxInFlight()} - 1 outstanding, beside the regular polls. Completes with
     * {@code {matched, failed}}: a reply matches when it parses as the reply to its own request, so the
     * count proves that replies kept request order. Any thread; for tests and diagnostics.
     */
    java.util.concurrent.CompletableFuture<long[]> pipelineBurst(int count) {
        java.util.concurrent.CompletableFuture<long[]> done = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> new Burst(count, done).fill());
        return done;
    }

    /** State of one {@link #pipelineBurst}; loop-confined. */
    private final class Burst {
        private final int count;
        private final java.util.concurrent.CompletableFuture<long[]> done;
        private int sent;
        private long matched;
        private long failed;

        Burst(int count, java.util.concurrent.CompletableFuture<long[]> done) {
            this.count = count;
            this.done = done;
        }

        void fill() {
            // One slot stays free so that the regular poll is never refused.
            while (sent < count && state == ConnState.READY && inFlight.size() < config.maxInFlight() - 1) {
                NunDbCommand command = sent % 2 == 0 ? NunDbCommand.METRICS_STATE : NunDbCommand.CLUSTER_STATE;
                sent++;
                send(command, new BurstReply(this, command));
            }
            if (sent < count && state != ConnState.READY) {
                failed += count - sent;
                sent = count;
            }
            if (matched + failed == count) {
                done.complete(new long[] {matched, failed});
            }
        }

        void replied(boolean ok) {
            if (ok) {
                matched++;
            } else {
                failed++;
            }
            fill();
        }
    }

    private final class BurstReply extends Reply {
        private final Burst burst;
        private final NunDbCommand command;
        private boolean parsed;

        BurstReply(Burst burst, NunDbCommand command) {
            this.burst = burst;
            this.command = command;
        }

        @Override
        boolean onPayload(ByteBuf line) {
            try {
                if (command == NunDbCommand.METRICS_STATE) {
                    ReplyDecoding.metricsState(line);
                } else {
                    ReplyDecoding.clusterState(line);
                }
                parsed = true;
            } catch (ReplyParseException e) {
                parsed = false;
            }
            return true;
        }

        @Override
        void onOk() {
            burst.replied(parsed);
        }

        @Override
        void onFailed(PollErrorReason reason) {
            burst.replied(false);
        }

        @Override
        void onAbort() {
            burst.replied(false);
        }
    }

    // ---------------------------------------------------------------- polling

    private void tick() {
        if (stopped) {
            return;
        }
        long now = time.nanoTime();
        if (!inFlight.isEmpty() && now - lastByteNanos > config.hardTimeout().toNanos()) {
            LOG.fine(() -> "node " + name + " sent no byte for " + config.hardTimeout() + "; resetting");
            connectionFailed(PollErrorReason.TIMEOUT);
            return;
        }
        if (state == ConnState.READY) {
            if (cycleInProgress) {
                skippedTicks++;
            } else {
                startCycle(now);
            }
        }
        checkStale(now);
        publish();
    }

    private void checkStale(long now) {
        if (up && now - lastSuccessNanos > 3 * config.pollInterval().toNanos()) {
            PollErrorReason reason = lastFailure != null ? lastFailure : PollErrorReason.STALE;
            LOG.info(() -> "node " + name + " had no successful poll for 3 intervals; down (" + reason.label() + ")");
            up = false;
            downReason = reason;
        }
    }

    private void startCycle(long now) {
        cycleLength = 0;
        cycleIndex = 0;
        cycle[cycleLength++] = NunDbCommand.METRICS_STATE;
        boolean slowDue = now - nextSlowPollNanos >= 0;
        boolean primary = view != null && view.claimsPrimary();
        if (primary || view == null || slowDue) {
            cycle[cycleLength++] = NunDbCommand.CLUSTER_STATE;
        }
        if (processStartEpochMillis < 0 || processInfoStale || slowDue) {
            cycle[cycleLength++] = NunDbCommand.DEBUG_PROCESS_INFO;
        }
        if (databases < 0 || slowDue) {
            cycle[cycleLength++] = NunDbCommand.DEBUG_LIST_DBS;
        }
        if (slowDue) {
            nextSlowPollNanos = now + ClientConfig.SLOW_POLL.toNanos();
        }
        cycleInProgress = true;
        cycleStartNanos = now;
        sendNextInCycle();
    }

    private void sendNextInCycle() {
        if (!cycleInProgress) {
            return;
        }
        if (cycleIndex == cycleLength) {
            // Pending ops depend on this cycle's metrics and view: only the node that claims primary,
            // only with pending_ops above 0, at most every pending interval.
            long now = time.nanoTime();
            if (view != null
                    && view.claimsPrimary()
                    && metrics != null
                    && metrics.pendingOps() > 0
                    && now - nextPendingPollNanos >= 0) {
                nextPendingPollNanos = now + pendingIntervalNanos;
                cycleIndex++;
                send(NunDbCommand.DEBUG_PENDING_OPS, new PendingOpsReply());
                return;
            }
            if (view == null || !view.claimsPrimary() || metrics == null) {
                pendingOps = null;
            } else if (metrics.pendingOps() == 0) {
                pendingOps = nothingPending(view);
            }
            cycleSucceeded();
            return;
        }
        if (cycleIndex > cycleLength) {
            cycleSucceeded();
            return;
        }
        NunDbCommand command = cycle[cycleIndex++];
        Reply reply = switch (command) {
            case METRICS_STATE ->
                new SingleLineReply<>("metrics-state", ReplyDecoding::metricsState, this::metricsDone);
            case CLUSTER_STATE -> new SingleLineReply<>("cluster-state", ReplyDecoding::clusterState, this::viewDone);
            case DEBUG_PROCESS_INFO ->
                new LinesReply("process-info", processInfoParser, () -> processInfoDone(processInfoParser.finish()));
            case DEBUG_LIST_DBS ->
                new LinesReply("dbs-list", listDbsParser, () -> databasesDone(listDbsParser.finish()));
            default -> throw new IllegalStateException(command.wire());
        };
        send(command, reply);
    }

    /**
     * A primary with {@code pending_ops: 0} has nothing pending for any member: zero series for every
     * other member of its view, so that alerts and charts see 0 rather than no data (without asking
     * {@code debug pending-ops}).
     */
    private PendingOpsSnapshot nothingPending(ClusterView v) {
        PendingOpsSnapshot previous = pendingOps;
        if (previous != null && previous.replyBytes() == 0) {
            // Already the zero snapshot: keep it while the view lists the same members.
            boolean same = previous.members().size() == v.members().size() - 1;
            for (io.nundb.exporter.protocol.ViewMember m : v.members()) {
                same &= m.status() == io.nundb.exporter.protocol.MemberStatus.SELF
                        || previous.members().containsKey(m.name());
            }
            if (same) {
                return previous;
            }
        }
        Map<String, PendingOpsSnapshot.Member> members = new java.util.HashMap<>();
        for (io.nundb.exporter.protocol.ViewMember m : v.members()) {
            if (m.status() != io.nundb.exporter.protocol.MemberStatus.SELF) {
                members.put(m.name(), new PendingOpsSnapshot.Member(0, 0, -1));
            }
        }
        return new PendingOpsSnapshot(members, time.currentTimeMillis(), 0);
    }

    private void metricsDone(MetricsState m) {
        metrics = m;
        sendNextInCycle();
    }

    private void viewDone(ClusterView v) {
        ClusterView previous = view;
        view = v;
        if (previous == null || previous.claimsPrimary() != v.claimsPrimary()) {
            LOG.info(() -> "node " + name + (v.claimsPrimary() ? " claims primary" : " does not claim primary"));
        }
        listener.onView(this, v);
        sendNextInCycle();
    }

    private void processInfoDone(long processId) {
        if (processStartEpochMillis >= 0 && processStartEpochMillis != processId) {
            LOG.info(() -> "node " + name + " restarted (new process start)");
        }
        processStartEpochMillis = processId;
        processInfoStale = false;
        sendNextInCycle();
    }

    private void databasesDone(int count) {
        databases = count;
        sendNextInCycle();
    }

    private void pendingOpsDone(PendingOpsSnapshot snapshot) {
        pendingOps = snapshot;
        long replyBytes = snapshot.replyBytes();
        // Doubling while the reply exceeds 1 MiB: the server holds a lock while formatting it.
        long base = config.pendingInterval().toNanos();
        pendingIntervalNanos = replyBytes > 1024 * 1024 ? Math.min(pendingIntervalNanos * 2, base * 64) : base;
        sendNextInCycle();
    }

    private void cycleSucceeded() {
        cycleInProgress = false;
        long now = time.nanoTime();
        lastSuccessNanos = now;
        lastSuccessEpochMillis = time.currentTimeMillis();
        lastFailure = null;
        if (!up) {
            LOG.info(() -> "node " + name + " is up");
        }
        up = true;
        downReason = null;
        firstAttempt();
        publish();
    }

    private void cycleFailed(PollErrorReason reason) {
        if (!cycleInProgress) {
            return;
        }
        cycleInProgress = false;
        countError(reason);
        lastFailure = reason;
        if (reason == PollErrorReason.PROTOCOL || reason == PollErrorReason.AUTH) {
            markDown(reason);
        }
        firstAttempt();
        publish();
    }

    private void authenticated() {
        cancel(handshakeTask);
        state = ConnState.READY;
        backoff.reset();
        // A new connection may mean a restarted process: pending entries are classified by its start.
        processInfoStale = true;
        startCycle(time.nanoTime());
    }

    private void authFailed() {
        LOG.warning(() -> "node " + name + " rejected the configured credentials (invalid auth); retrying on the"
                + " backoff schedule");
        connectionFailed(PollErrorReason.AUTH);
    }

    private void countError(PollErrorReason reason) {
        pollErrors[reason.ordinal()]++;
    }

    private void markDown(PollErrorReason reason) {
        if (up) {
            LOG.info(() -> "node " + name + " is down (" + reason.label() + ")");
        }
        up = false;
        downReason = reason;
        lastFailure = reason;
    }

    private void firstAttempt() {
        if (!firstAttemptDone) {
            firstAttemptDone = true;
            listener.onFirstAttempt(this);
        }
    }

    private void publish() {
        published = buildSnapshot();
    }

    private NodeSnapshot buildSnapshot() {
        NodeSnapshot.Builder b = NodeSnapshot.builder(name)
                .dialAddress(dial == null ? null : dial.toString())
                .seed(seed)
                .up(up)
                .downReason(downReason)
                .lastSuccessEpochMillis(lastSuccessEpochMillis)
                .observedAtEpochMillis(time.currentTimeMillis())
                .metrics(metrics)
                .view(view)
                .processStartEpochMillis(processStartEpochMillis)
                .databases(databases)
                .pollErrors(pollErrors)
                .requests(requests)
                .skippedTicks(skippedTicks)
                .lateReplies(lateReplies)
                .truncatedLines(truncatedLines)
                .connects(connects)
                .pendingOps(pendingOps);
        java.util.function.Supplier<io.nundb.exporter.model.CanarySnapshot> canary = canarySource;
        if (canary != null && loop.inEventLoop()) {
            b.canary(canary.get());
        }
        if (timings != null && loop.inEventLoop()) { // the constructor's first snapshot runs elsewhere
            for (Map.Entry<NunDbCommand, io.nundb.exporter.timing.RequestTimingSnapshot> e :
                    timings.snapshot().entrySet()) {
                b.timing(e.getKey(), e.getValue());
            }
        }
        return b.build();
    }

    /** Whether the first collection attempt finished; read by the collector through the listener. */
    boolean firstAttemptDone() {
        return firstAttemptDone;
    }

    String name() {
        return name;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "NodeClient(" + name + ")";
    }

    // ---------------------------------------------------------------- replies

    /** A request on the wire. Loop-confined. */
    private static final class Pending {
        final NunDbRequest request;
        final NunDbCommand command;
        final Reply reply;
        long writtenNanos;
        boolean lockStep;
        boolean abandoned;
        ScheduledFuture<?> deadline;

        Pending(NunDbRequest request, Reply reply) {
            this.request = request;
            this.command = request.command();
            this.reply = reply;
        }
    }

    /** The consumer of one reply: payload lines, then exactly one of ok, error or failed. */
    abstract class Reply {
        /** Returns false when the line cannot belong to this request (the connection is reset). */
        abstract boolean onPayload(ByteBuf line);

        abstract void onOk();

        void onError(String message) {
            // Only the fixed reason is exported; the message may quote user input, so it is not logged.
            if (message.startsWith("Not auth")) {
                onFailed(PollErrorReason.AUTH);
            } else {
                onFailed(PollErrorReason.ERROR_REPLY);
            }
        }

        void onFailed(PollErrorReason reason) {
            cycleFailed(reason);
        }

        /** The connection ended with this request outstanding; the poll cycle is reset elsewhere. */
        void onAbort() {}
    }

    private final class AuthReply extends Reply {
        private Boolean valid;

        @Override
        boolean onPayload(ByteBuf line) {
            if (ReplyDecoding.startsWith(line, "valid auth")) {
                valid = Boolean.TRUE;
                return true;
            }
            if (ReplyDecoding.startsWith(line, "invalid auth")) {
                valid = Boolean.FALSE;
                return true;
            }
            return false;
        }

        @Override
        void onOk() {
            if (Boolean.TRUE.equals(valid)) {
                authenticated();
            } else {
                authFailed();
            }
        }

        @Override
        void onFailed(PollErrorReason reason) {
            if (reason == PollErrorReason.TIMEOUT) {
                connectionFailed(PollErrorReason.TIMEOUT);
            } else {
                authFailed();
            }
        }
    }

    /** Parses the one payload line of a reply. */
    private interface LineParser<T> {
        T parse(ByteBuf line) throws ReplyParseException;
    }

    /** {@code metrics-state} and {@code cluster-state}: replies of exactly one payload line. */
    private final class SingleLineReply<T> extends Reply {
        private final String expectedPrefix;
        private final LineParser<T> parser;
        private final java.util.function.Consumer<T> sink;
        private T value;
        private PollErrorReason failure;
        private boolean sawLine;

        SingleLineReply(String expectedPrefix, LineParser<T> parser, java.util.function.Consumer<T> sink) {
            this.expectedPrefix = expectedPrefix;
            this.parser = parser;
            this.sink = sink;
        }

        /** A second payload line cannot belong to this request. */
        @Override
        boolean onPayload(ByteBuf line) {
            if (sawLine || ReplyDecoding.belongsElsewhere(line, expectedPrefix)) {
                return false;
            }
            sawLine = true;
            try {
                value = parser.parse(line);
            } catch (ReplyParseException e) {
                failure = ReplyDecoding.reason(e);
            }
            return true;
        }

        @Override
        void onOk() {
            if (failure != null) {
                onFailed(failure);
            } else if (value == null) {
                onFailed(PollErrorReason.UNSUPPORTED);
            } else {
                sink.accept(value);
            }
        }
    }

    /** A multi-line reply fed to one of the protocol package's accumulating parsers. */
    private abstract class AccumulatedReply extends Reply {
        private final String expectedPrefix;
        private boolean first = true;

        AccumulatedReply(String expectedPrefix) {
            this.expectedPrefix = expectedPrefix;
        }

        @Override
        final boolean onPayload(ByteBuf line) {
            if (first) {
                first = false;
                if (ReplyDecoding.belongsElsewhere(line, expectedPrefix)) {
                    return false;
                }
            }
            feed(line);
            return true;
        }

        abstract void feed(ByteBuf line);

        @Override
        final void onOk() {
            try {
                finish();
            } catch (ReplyParseException e) {
                onFailed(ReplyDecoding.reason(e));
            }
        }

        abstract void finish() throws ReplyParseException;
    }

    /** Ends a multi-line reply: reads the parser's result and hands it on. */
    private interface Finisher {
        void finish() throws ReplyParseException;
    }

    /** {@code debug process-info} and {@code debug list-dbs}: one of the node's reusable parsers. */
    private final class LinesReply extends AccumulatedReply {
        private final LineAccumulator parser;
        private final Finisher finisher;

        LinesReply(String prefix, LineAccumulator parser, Finisher finisher) {
            super(prefix);
            this.parser = parser;
            this.finisher = finisher;
            parser.begin();
        }

        @Override
        void feed(ByteBuf line) {
            parser.accept(line);
        }

        @Override
        void finish() throws ReplyParseException {
            finisher.finish();
        }
    }

    /**
     * The streaming {@code debug pending-ops} reply: aggregated per member as it arrives, never buffered
     * (it embeds user values and grows without bound during the incident it reveals).
     */
    private final class PendingOpsReply extends AccumulatedReply {
        PendingOpsReply() {
            super("pending-ops");
            pendingAggregator.begin(pendingClassifier);
        }

        @Override
        void feed(ByteBuf line) {
            pendingAggregator.accept(line);
        }

        @Override
        void finish() throws ReplyParseException {
            pendingOpsDone(pendingAggregator.finish(time.currentTimeMillis()));
        }
    }

    /**
     * Classifies this primary's pending entries per member: waiting when the member is in this node's
     * view and the entry is at or after the member's current process start, else orphaned.
     */
    private final PendingOpsAggregator.MemberClassifier pendingClassifier =
            new PendingOpsAggregator.MemberClassifier() {
                @Override
                public long processStartNanos(String member) {
                    long millis = processStarts.applyAsLong(member);
                    return millis < 0 ? UNKNOWN_START : millis * 1_000_000L;
                }

                @Override
                public boolean inView(String member) {
                    return view != null && view.contains(member);
                }
            };
}
