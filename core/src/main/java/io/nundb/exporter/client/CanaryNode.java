package io.nundb.exporter.client;

import static io.nundb.exporter.model.LogField.Key.DATABASE;
import static io.nundb.exporter.model.LogField.Key.NODE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.nundb.exporter.model.CanaryIgnoreReason;
import io.nundb.exporter.model.CanarySnapshot;
import io.nundb.exporter.model.LogField;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.model.SentinelResult;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbLine;
import io.nundb.exporter.protocol.NunDbRequest;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.SingleWriterTiming;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The replication canary on one Nun-db node, over its own {@link NodeConnection} (separate from the poll
 * connection and reset independently of it: the server drops a connection's watches when it closes).
 * Once the connection is authenticated: {@code use-db <canary-db> <token>}, {@code watch <key>}. On the
 * node that claims primary the same connection writes the canary ({@code set <key>
 * <instance>.<seq>.<nanos>}), creating the database first if it is missing.
 *
 * <p>Lag: a {@code changed <key> <value>} push carrying this exporter's instance id is one sample, the
 * monotonic time from the write (the nanos in the value, taken on the primary's loop just before the
 * line is written) to the push's arrival, recorded into a {@link SingleWriterTiming} on this loop. The
 * {@code changed-version} line that follows is ignored (a second small write that Nagle can delay).
 * Canaries the coordinator expects on this node are kept with their write time; one not seen within
 * {@link CanaryConfig#timeout()} is lost, also across a reset of the watch connection: only a push seen
 * to arrive proves the write arrived. Expectations are registered only while the connection watches.
 *
 * <p>The one edge upwards: a canary write that fails is reported through {@code writeFailed}, which the
 * collector hands to the {@link CanaryCoordinator} on its own thread (the coordinator then discards the
 * write on the members it told to expect it, so it is never counted lost). It is an event carrying a
 * value (the sequence number); the coordinator's calls back down ({@link #expect}, {@link #discard},
 * {@link #write}) are handed to this loop.
 *
 * <p>Sentinel ({@link SentinelCoordinator}): on the same connection, once the canary database is
 * selected, {@link #readSentinel} reads (and, missing, writes) the sentinel on the primary and
 * {@link #checkSentinel} reads and judges this node's copy, both through its {@link SentinelReader}.
 * Requests and their replies (what a missed deadline does) are its {@link CanaryRequests}.
 *
 * <p>Allocation: a push is decoded into a {@code String} (one per canary interval, off the poll path);
 * recording the sample allocates nothing.
 *
 * <p>Thread-safety: everything runs on the node's event loop ({@link #eventLoop()}), the same loop as
 * its {@link NodeClient}; {@link #start}, {@link #write}, {@link #expect}, {@link #discard} and
 * {@link #stop} hand off to it. {@link #writable()} and {@link #watching()} read volatile flags from any
 * thread.
 */
final class CanaryNode {
    private static final Logger LOG = Logger.getLogger(CanaryNode.class.getName());

    /** Longest wait between two {@code use-db} retries while the canary database is missing. */
    static final Duration MAX_NO_DB_RETRY = Duration.ofMinutes(1);

    /** Where the canary protocol stands on the current connection. */
    private enum Stage {
        DOWN,
        SELECTING,
        NO_DB,
        WATCHING,
        READY,
        STOPPED
    }

    private final String label;
    private final CanaryConfig canary;
    private final Secret token;
    private final EventLoop loop;
    private final TimeSource time;
    private final CanaryCounters counters;
    private final LongConsumer writeFailed;
    private final TaskFailures failures;
    private final SingleWriterTiming lag;
    private final NodeConnection connection;
    private final CanaryRequests requests;
    private final SentinelReader sentinel;

    // Written only on `loop`.
    private Stage stage = Stage.DOWN;
    private ScheduledFuture<?> retryTask;
    /** Delay of the next {@code use-db} retry while the canary database is missing; see {@link #scheduleRetry}. */
    private long retryDelayNanos;

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
     * @param token the canary database token, read off the event loops
     * @param writeFailed called on this loop with the sequence number of a canary write that failed
     */
    CanaryNode(
            String label,
            NodeAddress dial,
            ClientConfig client,
            Secret password,
            CanaryConfig canary,
            Secret token,
            RequestTimingConfig timingConfig,
            EventLoop loop,
            NodeConnection.Dialer dialer,
            TimeSource time,
            CanaryCounters counters,
            TaskFailures failures,
            LongConsumer writeFailed) {
        this.label = label;
        this.canary = canary;
        this.token = token;
        this.loop = loop;
        this.time = time;
        this.counters = counters;
        this.writeFailed = writeFailed;
        this.failures = failures;
        this.lag = new SingleWriterTiming(timingConfig, time::nanoTime);
        // Pushes on: this connection watches the canary key.
        this.connection = new NodeConnection(
                label,
                dial,
                client,
                password,
                loop,
                dialer,
                time,
                () -> ThreadLocalRandom.current().nextDouble(),
                null,
                true,
                failures,
                new CanaryEvents());
        this.requests = new CanaryRequests(connection, this::handshaking, writeFailed);
        this.sentinel = new SentinelReader(label, connection, requests, time);
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
        loop.execute(() -> {
            if (counters.tokenRejected()) {
                stage = Stage.STOPPED;
            } else {
                connection.start();
            }
        });
    }

    void stop() {
        loop.execute(() -> {
            stage = Stage.STOPPED;
            connection.stop();
            connectionGone();
            expected.clear();
        });
    }

    /** Writes canary {@code seq} on this node (it claims primary); a failure is reported to the coordinator. */
    void write(long seq) {
        loop.execute(() -> {
            if (stage == Stage.READY) {
                doWrite(seq);
            } else if (stage == Stage.NO_DB) {
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
            if (stage == Stage.READY && seq > lastSeenSeq) {
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
                connection.requests(),
                sentinel.snapshot());
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

    /** The connection's events: authenticated (start the canary handshake), lost, pushes. */
    private final class CanaryEvents implements NodeConnection.Owner {
        @Override
        public void onReady() {
            writable = true;
            selectDb();
        }

        @Override
        public void onLost(PollErrorReason reason) {
            // The poll connection reports the node's state and credentials; here only redial.
            connectionGone();
            if (counters.tokenRejected()) {
                stage = Stage.STOPPED;
                connection.stop();
            } else {
                stage = Stage.DOWN;
            }
        }

        @Override
        public void onPush(NunDbLine line) {
            if (line.kind() == NunDbLine.Kind.CHANGED) {
                onChanged(line.content());
            }
        }
    }

    /** The connection ended or stopped: nothing can be written or watched until it is back. */
    private void connectionGone() {
        cancel(retryTask);
        failPendingWrite();
        writable = false;
        watching = false;
    }

    /** Whether a handshake step is outstanding: one that misses its deadline resets the connection. */
    private boolean handshaking() {
        return stage == Stage.SELECTING || stage == Stage.WATCHING;
    }

    private NunDbRequest withToken(NunDbCommand command) {
        try {
            return NunDbRequest.of(command, canary.database(), token.get());
        } catch (IllegalArgumentException e) {
            // The message names the rule, never the value.
            LogField.log(
                    LOG,
                    Level.WARNING,
                    "the canary token cannot be sent as one token: " + e.getMessage() + "; canary stopped",
                    NODE,
                    label,
                    DATABASE,
                    canary.database());
            tokenRejected();
            return null;
        }
    }

    private void selectDb() {
        stage = Stage.SELECTING;
        NunDbRequest useDb = withToken(NunDbCommand.USE_DB);
        if (useDb == null) {
            return;
        }
        requests.send(useDb, -1, (ok, error) -> {
            if (ok) {
                watch();
            } else if (error != null && error.startsWith("Invalid token")) {
                LogField.log(
                        LOG,
                        Level.WARNING,
                        "node rejected the canary token; the canary is stopped (skipped reason canary_token)",
                        NODE,
                        label,
                        DATABASE,
                        canary.database());
                tokenRejected();
            } else if (error != null && error.startsWith("Not a valid database name")) {
                stage = Stage.NO_DB;
                if (pendingWriteSeq >= 0) {
                    createDb();
                } else {
                    // Replication brings the database once the primary created it.
                    scheduleRetry();
                }
            } else {
                connection.reset(PollErrorReason.ERROR_REPLY);
            }
        });
    }

    /**
     * Retries {@code use-db} while the canary database is missing here: after one canary interval, then
     * doubling up to {@link #MAX_NO_DB_RETRY} (or the interval if longer). Each {@code use-db} makes Nun-db
     * log the token; a database that never comes (a standalone node is never written) costs one line a
     * minute, not one per interval.
     */
    private void scheduleRetry() {
        long interval = canary.interval().toNanos();
        long delay = Math.max(interval, retryDelayNanos);
        retryDelayNanos = Math.min(delay * 2, Math.max(interval, MAX_NO_DB_RETRY.toNanos()));
        retryTask =
                loop.schedule(failures.guard("canary use-db retry", this::retrySelect), delay, TimeUnit.NANOSECONDS);
    }

    private void retrySelect() {
        if (stage == Stage.NO_DB) {
            selectDb();
        }
    }

    private void createDb() {
        cancel(retryTask);
        stage = Stage.SELECTING;
        NunDbRequest create = withToken(NunDbCommand.CREATE_DB);
        if (create == null) {
            return;
        }
        requests.send(create, -1, (ok, error) -> {
            if (ok || (error != null && error.startsWith("database already exists"))) {
                if (ok) {
                    LogField.log(
                            LOG, Level.INFO, "created the canary database", NODE, label, DATABASE, canary.database());
                }
                selectDb();
            } else {
                // Not the primary any more (or still electing): the coordinator tries again next interval.
                stage = Stage.NO_DB;
                failPendingWrite();
                scheduleRetry();
            }
        });
    }

    private void watch() {
        stage = Stage.WATCHING;
        requests.send(NunDbRequest.of(NunDbCommand.WATCH, canary.key()), -1, (ok, error) -> {
            if (!ok) {
                connection.reset(PollErrorReason.ERROR_REPLY);
                return;
            }
            stage = Stage.READY;
            watching = true;
            retryDelayNanos = 0;
            if (pendingWriteSeq >= 0) {
                long seq = pendingWriteSeq;
                pendingWriteSeq = -1;
                doWrite(seq);
            }
        });
    }

    private void tokenRejected() {
        counters.rejectToken();
        stage = Stage.STOPPED;
        connection.stop();
        connectionGone();
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
        requests.send(set, seq, (ok, error) -> {
            if (ok) {
                counters.written();
            } else {
                writeFailed.accept(seq);
            }
        });
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

    // ---------------------------------------------------------------- sentinel

    /** Whether the canary database is selected on this connection, so that keys can be read in it. */
    private boolean databaseSelected() {
        return stage == Stage.READY || stage == Stage.WATCHING;
    }

    /** {@link SentinelReader#read} on this loop; nothing is read before the canary database is selected. */
    void readSentinel(Consumer<String> reference) {
        loop.execute(() -> {
            if (databaseSelected()) {
                sentinel.read(reference);
            }
        });
    }

    /**
     * {@link SentinelReader#check} on this loop: a canary database this node does not have counts as
     * missing; no answer (or no database selected yet) counts as an error.
     */
    void checkSentinel(String token) {
        loop.execute(() -> {
            if (stage == Stage.STOPPED) {
                return;
            }
            if (stage == Stage.NO_DB) {
                sentinel.record(SentinelResult.MISSING);
            } else if (!databaseSelected()) {
                sentinel.record(SentinelResult.ERROR);
            } else {
                sentinel.check(token);
            }
        });
    }

    /** The node's new name (a seed merged with the name it calls itself), for the sentinel's log lines. */
    void renameSentinel(String newLabel) {
        loop.execute(() -> sentinel.rename(newLabel));
    }

    /** Forgets the last verdict on the sentinel: there is no primary to judge it against. */
    void withdrawSentinel() {
        loop.execute(sentinel::withdraw);
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
}
