package io.nundb.exporter.client;

import static io.nundb.exporter.model.LogField.Key.CAUSE;
import static io.nundb.exporter.model.LogField.Key.NODE;
import static io.nundb.exporter.model.LogField.Key.REASON;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.nundb.exporter.model.LogField;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.NunDbLine;
import io.nundb.exporter.protocol.NunDbRequest;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One authenticated TCP connection to one Nun-db node, redialled for the node's whole life: the poll
 * connection of a {@link NodeClient} and the watch connection of a {@link CanaryNode} are each one of
 * these. It owns the connection state machine and hands its owner only what the owner's protocol needs:
 * {@link Owner#onReady()} once greeted and authenticated, each request's reply, pushes, and
 * {@link Owner#onLost} with the reason whenever the connection ends.
 *
 * <pre>
 * IDLE --dial--> CONNECTING --TCP up--> GREETING --"ok"--> AUTHENTICATING --"valid auth","ok"--> READY
 *   ^                                                                                              |
 *   +-- redial delay  <-- refused, connect timeout, closed by the node (short_life before READY) <-+
 *   +-- backoff delay <-- greeting timeout, invalid auth, protocol error, request timeouts <-------+
 * </pre>
 *
 * <p>Protocol (spec §1.3): the greeting {@code "ok \n"} is awaited, then {@code auth} is sent with the
 * user and the password {@link Secret} (read from a volatile here; the file behind it is read off the
 * event loops). Replies are matched to requests in order by {@link OutstandingRequests}, which also
 * keeps their deadlines ({@link ClientConfig#requestTimeout()}: a late request fails for its owner with
 * {@code TIMEOUT}, its late reply is discarded) and their lock-step timings, and tells when the node is
 * hung or its replies are shifted by a dropped status line. The connection is reset then, on a line that
 * cannot belong to the head request, on no greeting plus auth within
 * {@link ClientConfig#connectTimeout()} (a stopped process accepts TCP and never greets, spec §6), and
 * when a request would make more than {@value #MAX_OUTSTANDING} outstanding: the real server silently
 * drops status lines once about 100 messages are queued (51 answered {@code get}s measured, spec §1.3 and
 * Appendix B), so a connection with {@value #MAX_OUTSTANDING} unanswered requests (about 40 queued
 * lines) is treated as hung rather than risk losing track of its replies.
 *
 * <p>Reconnects: a node that refused the connect or closed it is redialled at least once per poll interval,
 * one that accepted the connection and then failed it follows the configured backoff, both with jitter
 * ({@link ReconnectSchedule}). A connection the node closes after accepting it and before auth completed
 * is reported as {@code short_life}: a process that dies moments after each start (a crash loop) rather
 * than one that is down.
 *
 * <p>Thread-safety: confined to {@code loop}; every method must be called on it (owners hand calls from
 * other threads to the loop). Allocation: one small object per request and its deadline task.
 */
final class NodeConnection {
    private static final Logger LOG = Logger.getLogger(NodeConnection.class.getName());

    /**
     * The most requests outstanding at once, abandoned ones included: about 2 queued messages each, well
     * below the ~100 past which the real server drops status lines (spec §1.3).
     */
    static final int MAX_OUTSTANDING = 20;

    /** What the connection tells its owner; called on the loop. */
    interface Owner {
        /** Greeted and authenticated: requests may be sent. */
        void onReady();

        /**
         * The connection ended for {@code reason}; every outstanding request was aborted first. A reconnect
         * is scheduled after this returns unless the owner called {@link #stop()}.
         */
        void onLost(PollErrorReason reason);

        /** A push line ({@code changed ...}); only a connection built with pushes on gets any. */
        default void onPush(NunDbLine line) {}
    }

    /** The consumer of one reply: payload lines, then exactly one of ok, error, failed or abort. */
    interface Reply {
        /** Returns false when the line cannot belong to this request (the connection is reset). */
        boolean onPayload(ByteBuf line);

        void onOk();

        /** An {@code error ...} status line; the message may quote user input and is never logged. */
        void onError(String message);

        /**
         * The request failed without a status line: {@code TIMEOUT} when it missed its deadline (it stays
         * outstanding, abandoned), {@code CLOSED} when the connection was not ready to send it.
         */
        void onFailed(PollErrorReason reason);

        /** The connection ended with this request unanswered (or it was refused by the outstanding limit). */
        default void onAbort() {}
    }

    /** Opens a channel to {@code address} with {@code initializer} on the connection's loop. */
    interface Dialer {
        ChannelFuture dial(NodeAddress address, ChannelHandler initializer);
    }

    private enum State {
        IDLE,
        CONNECTING,
        GREETING,
        AUTHENTICATING,
        READY
    }

    private final NodeAddress address;
    private final ClientConfig config;
    private final Secret password;
    private final EventLoop loop;
    private final Dialer dialer;
    private final TimeSource time;
    private final ReconnectSchedule reconnects;
    private final boolean pushes;
    private final TaskFailures failures;
    private final Owner owner;

    // Everything below is written only on `loop`.
    private String label;
    private State state = State.IDLE;
    private Channel channel;
    private long connectionId;
    private boolean stopped;
    private final OutstandingRequests outstanding;
    private ScheduledFuture<?> handshakeTask;
    private ScheduledFuture<?> reconnectTask;
    private long connects;
    private long truncatedLines;

    /**
     * @param label the node's name, for log lines only (see {@link #rename})
     * @param pushes whether the decoder reports pushes (a connection that watches keys)
     * @param timings where lock-step request timings go, or {@code null} for none
     * @param random uniform values in {@code [0, 1)} for the backoff jitter
     * @param failures where a throwable escaping one of this connection's scheduled tasks is recorded
     */
    NodeConnection(
            String label,
            NodeAddress address,
            ClientConfig config,
            Secret password,
            EventLoop loop,
            Dialer dialer,
            TimeSource time,
            DoubleSupplier random,
            SingleWriterRequestTimings timings,
            boolean pushes,
            TaskFailures failures,
            Owner owner) {
        this.label = label;
        this.address = address;
        this.config = config;
        this.password = password;
        this.loop = loop;
        this.dialer = dialer;
        this.time = time;
        this.reconnects = new ReconnectSchedule(config, random);
        this.outstanding = new OutstandingRequests(loop, config, time, timings, failures, this::silent);
        this.pushes = pushes;
        this.failures = failures;
        this.owner = owner;
    }

    /** Dials now (on the loop). */
    void start() {
        assert loop.inEventLoop();
        connect();
    }

    /** Closes the connection for good; outstanding requests are aborted and nothing is redialled. */
    void stop() {
        assert loop.inEventLoop();
        stopped = true;
        cancel(reconnectTask);
        close();
    }

    /** Ends the current connection for {@code reason} (the owner's protocol failed) and redials. */
    void reset(PollErrorReason reason) {
        if (state != State.IDLE) {
            lost(reason);
        }
    }

    /** The node's new name, for log lines. */
    void rename(String newLabel) {
        label = newLabel;
    }

    /** Whether requests can be sent. */
    boolean ready() {
        return state == State.READY;
    }

    /** Successful TCP connects so far. */
    long connects() {
        return connects;
    }

    /** Status lines of abandoned requests read and discarded so far. */
    long lateReplies() {
        return outstanding.lateReplies();
    }

    /** Reply lines longer than the configured limit so far. */
    long truncatedLines() {
        return truncatedLines;
    }

    /** Requests written so far, indexed by {@link NunDbCommand#ordinal()}; the live array, read on the loop. */
    long[] requests() {
        return outstanding.requests();
    }

    /** Requests written and not yet answered, abandoned ones included. */
    int outstanding() {
        return outstanding.size();
    }

    /**
     * Sends {@code request} when ready and returns true; otherwise tells {@code reply} why
     * ({@link Reply#onFailed} with {@code CLOSED}, or {@link Reply#onAbort} when the outstanding limit
     * resets the connection) and returns false.
     */
    boolean send(NunDbRequest request, Reply reply) {
        if (state != State.READY) {
            reply.onFailed(PollErrorReason.CLOSED);
            return false;
        }
        if (outstanding.size() >= MAX_OUTSTANDING) {
            LogField.log(
                    LOG,
                    Level.FINE,
                    "node left " + MAX_OUTSTANDING + " requests unanswered; resetting",
                    NODE,
                    label,
                    REASON,
                    PollErrorReason.TIMEOUT.label());
            lost(PollErrorReason.TIMEOUT);
            reply.onAbort();
            return false;
        }
        write(request, reply);
        return true;
    }

    // ---------------------------------------------------------------- connection

    private void connect() {
        if (stopped || state != State.IDLE) {
            return;
        }
        state = State.CONNECTING;
        long id = ++connectionId;
        handshakeTask = loop.schedule(
                failures.guard("handshake deadline", () -> handshakeTimedOut(id)),
                config.connectTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        ChannelFuture f = dialer.dial(address, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast("decoder", ReplyDecoding.newDecoder(config, pushes))
                        .addLast("encoder", ReplyDecoding.newEncoder())
                        .addLast("node", new NodeChannelHandler(NodeConnection.this, id));
            }
        });
        channel = f.channel();
        f.addListener(future -> connected(id, future));
    }

    private void connected(long id, Future<?> future) {
        if (id != connectionId) {
            return;
        }
        if (future.isSuccess()) {
            connects++;
            state = State.GREETING;
            return;
        }
        Throwable cause = future.cause();
        PollErrorReason reason = cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException
                ? PollErrorReason.UNDIALABLE
                : cause instanceof ConnectTimeoutException ? PollErrorReason.TIMEOUT : PollErrorReason.REFUSED;
        if (!(cause instanceof ConnectException) && reason == PollErrorReason.REFUSED) {
            LogField.log(
                    LOG,
                    Level.FINE,
                    "connect failed",
                    NODE,
                    label,
                    CAUSE,
                    cause.getClass().getSimpleName());
        }
        lost(reason);
    }

    private void handshakeTimedOut(long id) {
        if (id == connectionId && state != State.READY && state != State.IDLE) {
            LogField.log(
                    LOG,
                    Level.FINE,
                    "node did not greet and authenticate within " + config.connectTimeout(),
                    NODE,
                    label,
                    REASON,
                    PollErrorReason.TIMEOUT.label());
            lost(PollErrorReason.TIMEOUT);
        }
    }

    /**
     * Closes the current connection, tells the owner and schedules a reconnect: on the redial schedule when
     * the connect itself failed or the node closed the connection, else on the backoff.
     */
    private void lost(PollErrorReason reason) {
        boolean cheap =
                state == State.CONNECTING || reason == PollErrorReason.CLOSED || reason == PollErrorReason.SHORT_LIFE;
        close();
        owner.onLost(reason);
        if (!stopped) {
            cancel(reconnectTask);
            long delay = reconnects.nextDelayNanos(cheap);
            reconnectTask = loop.schedule(failures.guard("reconnect", this::connect), delay, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code CLOSED} once authenticated; before that the node died moments after accepting: short life. */
    private PollErrorReason closedReason() {
        return state == State.GREETING || state == State.AUTHENTICATING
                ? PollErrorReason.SHORT_LIFE
                : PollErrorReason.CLOSED;
    }

    /** Closes the channel (its close events are ignored: the id moves on) and aborts every request. */
    private void close() {
        connectionId++;
        state = State.IDLE;
        cancel(handshakeTask);
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
        outstanding.abortAll();
    }

    /** The channel of attempt {@code id} closed. */
    void onClosed(long id) {
        if (id != connectionId || stopped) {
            return;
        }
        PollErrorReason reason = closedReason();
        LogField.log(LOG, Level.FINE, "connection closed", NODE, label, REASON, reason.label());
        lost(reason);
    }

    /** The pipeline of attempt {@code id} raised {@code cause}. */
    void onException(long id, Throwable cause) {
        if (id != connectionId || stopped) {
            return;
        }
        // Never log the message of a decoder exception: it may quote reply bytes (user data).
        LogField.log(
                LOG,
                Level.FINE,
                "connection failed",
                NODE,
                label,
                CAUSE,
                cause.getClass().getSimpleName());
        lost(cause instanceof IOException ? closedReason() : PollErrorReason.PROTOCOL);
    }

    // ---------------------------------------------------------------- lines

    /** A line decoded on the channel of attempt {@code id}. */
    void onLine(long id, NunDbLine line) {
        if (id != connectionId) {
            return;
        }
        long now = time.nanoTime();
        if (line.truncated()) {
            truncatedLines++;
        }
        NunDbLine.Kind kind = line.kind();
        if (kind.isPush()) {
            owner.onPush(line);
            return;
        }
        if (state == State.GREETING) {
            if (kind == NunDbLine.Kind.OK) {
                state = State.AUTHENTICATING;
                authenticate();
            } else {
                protocolError("no greeting");
            }
            return;
        }
        if (outstanding.isEmpty()) {
            protocolError("a line with no request outstanding");
            return;
        }
        if (kind == NunDbLine.Kind.PAYLOAD) {
            if (!outstanding.onPayload(line.content())) {
                protocolError("a line that cannot belong to "
                        + outstanding.headCommand().wire());
            }
            return;
        }
        if (outstanding.onStatus(line, now, state == State.READY)) {
            LOG.warning(() -> "node " + label + " answered " + OutstandingRequests.SHIFTED_REPLIES_BEFORE_RESET
                    + " requests in a row after their deadline with a younger request waiting: a status"
                    + " line was dropped and replies are shifted; resetting the connection");
            lost(PollErrorReason.TIMEOUT);
        }
    }

    private void protocolError(String what) {
        LogField.log(
                LOG,
                Level.WARNING,
                "protocol error (" + what + "); resetting the connection",
                NODE,
                label,
                REASON,
                PollErrorReason.PROTOCOL.label());
        lost(PollErrorReason.PROTOCOL);
    }

    // ---------------------------------------------------------------- requests

    private void authenticate() {
        NunDbRequest auth;
        try {
            auth = NunDbRequest.of(NunDbCommand.AUTH, config.user(), password.get());
        } catch (IllegalArgumentException e) {
            // The message names the rule, never the value.
            LogField.log(
                    LOG,
                    Level.WARNING,
                    "the Nun-db user or password cannot be sent as one line: " + e.getMessage(),
                    NODE,
                    label,
                    REASON,
                    PollErrorReason.AUTH.label());
            lost(PollErrorReason.AUTH);
            return;
        }
        write(auth, new AuthReply(this));
    }

    private void write(NunDbRequest request, Reply reply) {
        outstanding.add(request.command(), reply, time.nanoTime());
        channel.writeAndFlush(request, channel.voidPromise());
    }

    /** No status line for the hard timeout while requests are outstanding: the node is hung. */
    private void silent() {
        LogField.log(
                LOG,
                Level.FINE,
                "node sent no status line for " + config.hardTimeout() + "; resetting",
                NODE,
                label,
                REASON,
                PollErrorReason.TIMEOUT.label());
        lost(PollErrorReason.TIMEOUT);
    }

    /** The {@code auth} request succeeded: the connection is ready. */
    void authenticated() {
        cancel(handshakeTask);
        state = State.READY;
        reconnects.reset();
        owner.onReady();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "NodeConnection(" + label + ")";
    }
}
