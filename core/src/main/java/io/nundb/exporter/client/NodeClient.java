package io.nundb.exporter.client;

import static io.nundb.exporter.model.LogField.Key.NODE;
import static io.nundb.exporter.model.LogField.Key.PREVIOUS;
import static io.nundb.exporter.model.LogField.Key.REASON;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.LogField;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.LineAccumulator;
import io.nundb.exporter.protocol.ListDbsParser;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbRequest;
import io.nundb.exporter.protocol.PendingOpsAggregator;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.ProcessInfoParser;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Nun-db node as the exporter sees it: the poll cycle run over its {@link NodeConnection}, the values
 * of its last successful poll, and its counters. Everything here is pinned to one {@link EventLoop} for
 * the node's whole life, so the connection, decoders, counters and accumulators have a single writer
 * across reconnects and no locks.
 *
 * <p>Polling: every {@link ClientConfig#pollInterval()} one cycle runs its commands one at a time
 * (lock-step), so that each is timed from the write of its line to its status line with nothing else
 * outstanding. A tick that finds the previous cycle still running is skipped and counted. The duration
 * of the last complete cycle (first request written to last reply read, on this loop) is published as
 * {@link NodeSnapshot#pollCycleSeconds()}. Whether a cycle ends with a {@code debug pending-ops} read is
 * its {@link PendingOpsReads}' decision.
 *
 * <p>What the node needs from the rest of the cluster comes as values: the members' process starts
 * ({@link #memberStarts}) pushed by the collector. What it tells the collector goes through
 * {@link NodeListener} events that carry values (the one remaining edge upwards, documented there).
 *
 * <p>Thread-safety: all methods except {@link #snapshot()}, {@link #toString()} and the factory run on
 * {@link #eventLoop()}; calls from other threads are handed to it. {@link #snapshot()} reads a volatile
 * immutable snapshot and is safe from any thread.
 */
public final class NodeClient {
    private static final Logger LOG = Logger.getLogger(NodeClient.class.getName());

    private final ClientConfig config;
    private final EventLoop loop;
    private final TimeSource time;
    private final NodeListener listener;
    private final SingleWriterRequestTimings timings;
    private final TaskFailures failures;
    /** The poll connection; {@code null} for a node that is not a dialable address. */
    private final NodeConnection connection;

    /**
     * Written only on {@code loop}; volatile so that {@link #toString()} (log lines on the collector
     * thread) reads the current name.
     */
    private volatile String name;

    // Everything below is written only on `loop`.
    private final NodeAddress dial;
    private boolean seed;
    private ScheduledFuture<?> tickTask;
    private boolean stopped;
    private boolean firstAttemptDone;

    private final NunDbCommand[] cycle = new NunDbCommand[8];
    private int cycleLength;
    private int cycleIndex;
    private boolean cycleInProgress;
    private long cycleStartNanos;
    private double pollCycleSeconds = Double.NaN;
    private long nextSlowPollNanos;
    private final PendingOpsReads pendingReads;

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
    private final long[] pollErrors = new long[PollErrorReason.values().length];
    private long skippedTicks;
    private final PendingOpsAggregator pendingAggregator = new PendingOpsAggregator();
    private final ProcessInfoParser processInfoParser = new ProcessInfoParser();
    private final ListDbsParser listDbsParser = new ListDbsParser();
    /** Members' process starts (ms since the epoch) as last pushed by the collector. */
    private Map<String, Long> memberStarts = Map.of();
    /** This node's canary connection's state, read on this loop at each publication; set once before start. */
    private Supplier<CanarySnapshot> canarySource;

    private volatile NodeSnapshot published;

    /** Every failed reply fails the current cycle. */
    private final PollReply.Cycle cycleFailure = this::cycleFailed;

    NodeClient(
            String name,
            NodeAddress dial,
            boolean seed,
            ClientConfig config,
            Secret password,
            EventLoop loop,
            NodeConnection.Dialer dialer,
            TimeSource time,
            NodeListener listener,
            SingleWriterRequestTimings timings,
            TaskFailures failures) {
        this.name = name;
        this.dial = dial;
        this.seed = seed;
        this.config = config;
        this.loop = loop;
        this.time = time;
        this.listener = listener;
        this.timings = timings;
        this.failures = failures;
        this.connection = dial == null
                ? null
                : new NodeConnection(
                        name,
                        dial,
                        config,
                        password,
                        loop,
                        dialer,
                        time,
                        () -> ThreadLocalRandom.current().nextDouble(),
                        timings,
                        false,
                        failures,
                        new PollEvents());
        this.pendingReads = new PendingOpsReads(config, time);
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
            tickTask = loop.scheduleAtFixedRate(
                    failures.guard("poll tick of " + name, this::tick), interval, interval, TimeUnit.NANOSECONDS);
            if (connection != null) {
                connection.start();
            } else {
                markDown(PollErrorReason.UNDIALABLE);
                LogField.log(
                        LOG,
                        Level.WARNING,
                        "node is not a dialable host:port and no --nundb.address-map entry names it; reported down",
                        NODE,
                        name,
                        REASON,
                        PollErrorReason.UNDIALABLE.label());
                firstAttempt();
                publish();
            }
        });
    }

    /** Stops polling and closes the connection; the node stays as it was last published. */
    void stop() {
        loop.execute(() -> {
            stopped = true;
            if (tickTask != null) {
                tickTask.cancel(false);
            }
            if (connection != null) {
                connection.stop();
            }
            cycleInProgress = false;
        });
    }

    /** Renames the node (a seed learning its own name) and marks it a seed if {@code seed}. */
    void rename(String newName, boolean asSeed) {
        loop.execute(() -> {
            if (!newName.equals(name)) {
                LogField.log(LOG, Level.INFO, "node reports itself under another name", NODE, newName, PREVIOUS, name);
                name = newName;
                if (connection != null) {
                    connection.rename(newName);
                }
            }
            seed |= asSeed;
            publish();
        });
    }

    /**
     * The members' process starts (ms since the epoch, by name) as the collector last saw them; used to
     * classify this node's pending entries. Any thread; the immutable map is handed to the loop.
     */
    void memberStarts(Map<String, Long> starts) {
        loop.execute(() -> memberStarts = starts);
    }

    /** Sets where this node's canary state comes from; before {@link #start()}, called on this loop. */
    void canarySource(Supplier<CanarySnapshot> source) {
        canarySource = source;
    }

    /** The connection's events: the handshake completed, or the connection ended. */
    private final class PollEvents implements NodeConnection.Owner {
        @Override
        public void onReady() {
            // A new connection may mean a restarted process: pending entries are classified by its start.
            processInfoStale = true;
            startCycle(time.nanoTime());
        }

        @Override
        public void onLost(PollErrorReason reason) {
            if (reason == PollErrorReason.AUTH) {
                LogField.log(
                        LOG,
                        Level.WARNING,
                        "node rejected the configured credentials (invalid auth); retrying on the backoff schedule",
                        NODE,
                        name,
                        REASON,
                        reason.label());
            }
            cycleInProgress = false;
            // The next connection may reach a restarted process with other pending entries: read again.
            pendingReads.forget();
            countError(reason);
            markDown(reason);
            firstAttempt();
            publish();
        }
    }

    // ---------------------------------------------------------------- polling

    private void tick() {
        if (stopped) {
            return;
        }
        long now = time.nanoTime();
        if (connection != null && connection.ready()) {
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
            LogField.log(
                    LOG,
                    Level.INFO,
                    "node had no successful poll for 3 intervals; down",
                    NODE,
                    name,
                    REASON,
                    reason.label());
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
        cycleStartNanos = time.nanoTime();
        sendNextInCycle();
    }

    private void sendNextInCycle() {
        if (!cycleInProgress) {
            return;
        }
        if (cycleIndex == cycleLength) {
            // Pending ops depend on this cycle's metrics and view: PendingOpsReads says when to read them.
            if (pendingReads.readNow(time.nanoTime(), view, metrics, memberStarts)) {
                cycleIndex++;
                // Streamed, never buffered: it embeds user values and grows during the incident it reveals.
                pendingAggregator.begin(pendingClassifier);
                connection.send(
                        NunDbRequest.of(NunDbCommand.DEBUG_PENDING_OPS),
                        PollReply.lines(
                                cycleFailure,
                                "pending-ops",
                                pendingAggregator::accept,
                                () -> pendingOpsDone(pendingAggregator.finish(time.currentTimeMillis()))));
                return;
            }
            pendingReads.noRead(view, metrics);
            cycleSucceeded();
            return;
        }
        if (cycleIndex > cycleLength) {
            cycleSucceeded();
            return;
        }
        NunDbCommand command = cycle[cycleIndex++];
        PollReply reply = switch (command) {
            case METRICS_STATE ->
                PollReply.singleLine(cycleFailure, "metrics-state", ReplyDecoding::metricsState, this::metricsDone);
            case CLUSTER_STATE ->
                PollReply.singleLine(cycleFailure, "cluster-state", ReplyDecoding::clusterState, this::viewDone);
            case DEBUG_PROCESS_INFO ->
                lines("process-info", processInfoParser, () -> processInfoDone(processInfoParser.finish()));
            case DEBUG_LIST_DBS -> lines("dbs-list", listDbsParser, () -> databasesDone(listDbsParser.finish()));
            default -> throw new IllegalStateException(command.wire());
        };
        connection.send(NunDbRequest.of(command), reply);
    }

    /** A multi-line reply into one of this node's reusable parsers, begun here. */
    private PollReply lines(String prefix, LineAccumulator parser, PollReply.Finisher finisher) {
        parser.begin();
        return PollReply.lines(cycleFailure, prefix, parser::accept, finisher);
    }

    private void metricsDone(MetricsState m) {
        metrics = m;
        sendNextInCycle();
    }

    private void viewDone(ClusterView v) {
        ClusterView previous = view;
        view = v;
        if (previous == null || previous.claimsPrimary() != v.claimsPrimary()) {
            LogField.log(
                    LOG,
                    Level.INFO,
                    v.claimsPrimary() ? "node claims primary" : "node does not claim primary",
                    NODE,
                    name);
        }
        listener.onView(this, v);
        sendNextInCycle();
    }

    private void processInfoDone(long processId) {
        if (processStartEpochMillis >= 0 && processStartEpochMillis != processId) {
            LogField.log(LOG, Level.INFO, "node restarted (new process start)", NODE, name);
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
        pendingReads.done(snapshot);
        sendNextInCycle();
    }

    private void cycleSucceeded() {
        cycleInProgress = false;
        long now = time.nanoTime();
        pollCycleSeconds = (now - cycleStartNanos) / 1e9;
        lastSuccessNanos = now;
        lastSuccessEpochMillis = time.currentTimeMillis();
        lastFailure = null;
        if (!up) {
            LogField.log(LOG, Level.INFO, "node is up", NODE, name);
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
        if (cycleIndex > cycleLength) {
            pendingReads.forget(); // The debug pending-ops read itself failed: it is still to be made.
        }
        countError(reason);
        lastFailure = reason;
        if (reason == PollErrorReason.PROTOCOL || reason == PollErrorReason.AUTH) {
            markDown(reason);
        }
        firstAttempt();
        publish();
    }

    private void countError(PollErrorReason reason) {
        pollErrors[reason.ordinal()]++;
    }

    private void markDown(PollErrorReason reason) {
        if (up) {
            LogField.log(LOG, Level.INFO, "node is down", NODE, name, REASON, reason.label());
        }
        up = false;
        downReason = reason;
        lastFailure = reason;
    }

    private void firstAttempt() {
        if (!firstAttemptDone) {
            firstAttemptDone = true;
            // Down from the start is no state change, so no other line says it (undialable and auth have their own).
            if (!up && lastFailure != PollErrorReason.UNDIALABLE && lastFailure != PollErrorReason.AUTH) {
                LogField.log(
                        LOG,
                        Level.WARNING,
                        "node is down from the first attempt",
                        NODE,
                        name,
                        REASON,
                        (lastFailure != null ? lastFailure : downReason).label());
            }
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
                .skippedTicks(skippedTicks)
                .pollCycleSeconds(pollCycleSeconds)
                .pendingOps(pendingReads.snapshot());
        if (connection != null) {
            b.requests(connection.requests())
                    .lateReplies(connection.lateReplies())
                    .truncatedLines(connection.truncatedLines())
                    .connects(connection.connects());
        }
        Supplier<CanarySnapshot> canary = canarySource;
        if (canary != null && loop.inEventLoop()) {
            b.canary(canary.get());
        }
        if (timings != null && loop.inEventLoop()) { // the constructor's first snapshot runs elsewhere
            for (Map.Entry<NunDbCommand, RequestTimingSnapshot> e :
                    timings.snapshot().entrySet()) {
                b.timing(e.getKey(), e.getValue());
            }
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "NodeClient(" + name + ")";
    }

    /**
     * Classifies this primary's pending entries per member: waiting when the member is in this node's
     * view and the entry is at or after the member's current process start, else orphaned.
     */
    private final PendingOpsAggregator.MemberClassifier pendingClassifier =
            new PendingOpsAggregator.MemberClassifier() {
                @Override
                public long processStartNanos(String member) {
                    Long millis = memberStarts.get(member);
                    return millis == null || millis < 0 ? UNKNOWN_START : millis * 1_000_000L;
                }

                @Override
                public boolean inView(String member) {
                    return view != null && view.contains(member);
                }
            };
}
