package io.nundb.exporter.sim;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One simulated Nun-db node: a real TCP server on 127.0.0.1 that answers the Nun-db text protocol
 * byte for byte as the real server at {@code ca22706} does ({@code docs/nundb-protocol.md} §1-§5,
 * Appendix B), with its write timing (TCP_NODELAY off, one write and flush per message, replies only
 * once no complete input line is pending) and faults on command. Its name (the {@code (self)} entry)
 * may differ from its listen address. Standalone, it becomes {@code Primary} after its start-up
 * window; in a {@link SimulatedCluster} the cluster sets its view and role.
 *
 * <p>Thread-safety: all node state is confined to the one event loop the node is pinned to (its
 * server channel and every accepted channel are registered there). Public methods may be called from
 * any thread except an event loop of the simulator: queries and faults hop onto the node's loop and
 * wait (at most 5 s) for the result; {@link #start()}, {@link #kill()} and {@link #restart()} block
 * while the socket binds or closes.
 */
public final class SimulatedNode implements AutoCloseable {
    static final String PRIMARY = "Primary";
    static final String SECONDARY = "Secoundary";
    static final String STARTING_UP = "StartingUp";
    private static final int EMA_PERIOD = 100;
    private static final int OP_LOG_RECORD_BYTES = 25;
    private static final List<String> ALL_COMMANDS = List.of(
            "ack",
            "arbiter",
            "auth",
            "cluster-state",
            "create-db",
            "create-user",
            "debug",
            "election",
            "get",
            "get-safe",
            "increment",
            "join",
            "keys",
            "leave",
            "ls",
            "metrics-state",
            "remove",
            "replicate",
            "replicate-increment",
            "replicate-join",
            "replicate-leave",
            "replicate-since",
            "replicate-snapshot",
            "resolve",
            "rp",
            "set",
            "set-primary",
            "set-safe",
            "set-secoundary",
            "snapshot",
            "unwatch",
            "unwatch-all",
            "use",
            "use-db",
            "watch",
            "list-commands",
            "set-permissions");

    private final String user;
    private final String password;
    private final EventLoopGroup ownedGroup;
    private final EventLoop loop;
    private final LongSupplier oppIdClock;
    private final LongSupplier processIdClock;
    private final Duration startupWindow;
    private final int requestedPort;
    private final AtomicLong commandsReceived = new AtomicLong();
    private final ConcurrentHashMap<String, LongAdder> clientCommands = new ConcurrentHashMap<>();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong oppIdHighWater = new AtomicLong();
    private volatile String name;
    private volatile long processId;
    private volatile Channel serverChannel;
    private volatile InetSocketAddress address;
    volatile int incarnation;
    volatile long replicationDelayNanos;
    SimulatedCluster cluster;

    // Flags read on the loop, written through onLoop or volatile for cross-thread reads.
    volatile boolean alive;
    volatile boolean stopped;
    volatile boolean closeOnAccept;
    volatile boolean closeOnAuth;
    volatile boolean rejectAuth;
    volatile boolean pipelineOverflow = true;
    volatile boolean discardPartialLines = true;
    volatile long replyDelayNanos;
    volatile Garbling garbling = Garbling.NONE;
    /** Status lines of client sessions still to drop (fault); decremented on the loop. */
    final AtomicInteger statusLinesToSkip = new AtomicInteger();
    /** Invented members appended to every {@code cluster-state} view (fault). */
    volatile int extraViewMembers;
    /** Whether every client session is sent an endless line without {@code \n} (fault). */
    volatile boolean streamWithoutNewline;

    // Loop-confined state.
    final List<SimulatedConnectionHandler> connections = new ArrayList<>();
    private final SimulatedConnectionHandler internalSession;
    private Map<String, SimulatedDatabase> databases;
    private final Map<String, Map<String, List<SimulatedConnectionHandler>>> watchers = new LinkedHashMap<>();
    private final LinkedHashMap<Long, PendingOp> pending = new LinkedHashMap<>();
    private final List<Runnable> stoppedBacklog = new ArrayList<>();
    private TreeMap<String, String> view = new TreeMap<>();
    private boolean formed;
    private boolean electing;
    private long opLogBytes;
    private Ema replicationEma;
    private Ema queryEma;
    private SimulatedMetricsState scriptedMetrics;

    private SimulatedNode(Builder b) {
        this.user = b.user;
        this.password = b.password;
        this.ownedGroup = b.eventLoop == null ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()) : null;
        this.loop = b.eventLoop != null ? b.eventLoop : ownedGroup.next();
        this.oppIdClock = b.oppIdClock;
        this.processIdClock = b.processIdClock;
        this.startupWindow = b.startupWindow;
        this.requestedPort = b.port;
        this.name = b.name;
        this.processId = b.processId != 0 ? b.processId : b.processIdClock.getAsLong();
        this.replicationDelayNanos = b.replicationDelay.toNanos();
        this.internalSession = new SimulatedConnectionHandler(this);
        this.internalSession.authenticated = true;
        resetState();
    }

    /** Returns a builder; defaults: user {@code nun}, password {@code nun-pwd}, ephemeral port. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SimulatedNode}. Thread-safety: not thread-safe; use from one thread. */
    public static final class Builder {
        private String name;
        private String user = "nun";
        // The real server's debug-build default (spec §1.1), used by the spec's verbatim exchanges; the demo
        // and SimulatorMain always set random or given credentials.
        private String password = "nun-pwd";
        private long processId;
        private int port;
        private EventLoop eventLoop;
        private Duration startupWindow = Duration.ZERO;
        private Duration replicationDelay = Duration.ZERO;
        private LongSupplier oppIdClock = SimulatedNode::epochNanos;
        private LongSupplier processIdClock = System::currentTimeMillis;

        private Builder() {}

        /** The node's self-name in views; default {@code 127.0.0.1:<bound port>}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /** The admin user and password ({@code auth <user> <password>}). */
        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user);
            this.password = Objects.requireNonNull(password);
            return this;
        }

        /** Explicit {@code process_id} (start time in ms since the epoch); default the process-id clock. */
        public Builder processId(long processId) {
            this.processId = processId;
            return this;
        }

        /** Port on 127.0.0.1; 0 (the default) picks an ephemeral port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Pins the node to this loop (shared by many nodes); default: a private one-thread group. */
        public Builder eventLoop(EventLoop eventLoop) {
            this.eventLoop = eventLoop;
            return this;
        }

        /**
         * How long after start the node answers {@code "cluster-state \n"} and refuses
         * {@code create-db} (real: about 1.04 s, spec §1.1); default 0.
         */
        public Builder startupWindow(Duration window) {
            this.startupWindow = Objects.requireNonNull(window);
            return this;
        }

        /** Delay before a replicated operation reaches this node (as a secondary); default 0. */
        public Builder replicationDelay(Duration delay) {
            this.replicationDelay = Objects.requireNonNull(delay);
            return this;
        }

        /** Source of {@code opp_id} values (ns since the epoch); ids are forced strictly increasing. */
        public Builder oppIdClock(LongSupplier epochNanos) {
            this.oppIdClock = Objects.requireNonNull(epochNanos);
            return this;
        }

        /** Source of process start times (ms since the epoch) used at start and restart. */
        public Builder processIdClock(LongSupplier epochMillis) {
            this.processIdClock = Objects.requireNonNull(epochMillis);
            return this;
        }

        /** A builder with this one's settings, to build several nodes from one set of defaults. */
        Builder copy() {
            Builder c = new Builder();
            c.name = name;
            c.user = user;
            c.password = password;
            c.processId = processId;
            c.port = port;
            c.eventLoop = eventLoop;
            c.startupWindow = startupWindow;
            c.replicationDelay = replicationDelay;
            c.oppIdClock = oppIdClock;
            c.processIdClock = processIdClock;
            return c;
        }

        public SimulatedNode build() {
            return new SimulatedNode(this);
        }
    }

    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Binds 127.0.0.1 and starts accepting; blocks until bound. Returns this node. */
    public SimulatedNode start() {
        bind(requestedPort);
        if (name == null) {
            name = "127.0.0.1:" + address.getPort();
        }
        onLoop(() -> {
            alive = true;
            if (cluster == null) {
                scheduleStandaloneFormation();
            }
            return null;
        });
        return this;
    }

    private void scheduleStandaloneFormation() {
        int inc = incarnation;
        Runnable form = () -> {
            if (inc == incarnation && alive) {
                TreeMap<String, String> v = new TreeMap<>();
                v.put(name, PRIMARY);
                applyView(v);
            }
        };
        if (startupWindow.isZero()) {
            form.run();
        } else {
            loop.schedule(form, startupWindow.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void bind(int port) {
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                // The real server never sets TCP_NODELAY (spec §1.3): keep Nagle on.
                .childOption(ChannelOption.TCP_NODELAY, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SimulatedConnectionHandler(SimulatedNode.this));
                    }
                });
        // A closed NIO listen socket is released only once the selector drops its key, so a rebind
        // right after kill() may briefly see EADDRINUSE: nudge the loop and retry for up to 2 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true) {
            try {
                Channel ch =
                        b.bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
                serverChannel = ch;
                address = (InetSocketAddress) ch.localAddress();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding", e);
            } catch (Exception e) {
                if (!(e instanceof java.net.BindException) || port == 0 || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot bind 127.0.0.1:" + port, e);
                }
                loop.submit(() -> {}).syncUninterruptibly();
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /**
     * SIGKILL: closes every connection (FIN) and stops listening (later connects are refused). The
     * node's memory (databases, pending ops, EMAs) is lost. Blocks until closed.
     */
    public void kill() {
        kill(null);
    }

    /** {@link #kill()}, running {@code beforeVanish} once the node is dead but before the cluster learns it. */
    void kill(Runnable beforeVanish) {
        onLoop(() -> {
            alive = false;
            stopped = false;
            incarnation++;
            for (SimulatedConnectionHandler c : new ArrayList<>(connections)) {
                c.close();
            }
            return null;
        });
        Channel ch = serverChannel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
            // Let the selector drop the cancelled key so the listen socket is really released.
            loop.submit(() -> {}).syncUninterruptibly();
        }
        if (beforeVanish != null) {
            beforeVanish.run();
        }
        if (cluster != null) {
            cluster.nodeKilled(this);
        }
    }

    /**
     * Restarts a killed (or running) node on the same port with a new process start (the
     * process-id clock, forced above every process id the cluster knows) and a clean data
     * directory. In a cluster it rejoins as a secondary and gets a catch-up without acks
     * ({@link RestartData#RESYNCED}).
     */
    public void restart() {
        restart(RestartData.RESYNCED);
    }

    /**
     * Restarts the node as {@link #restart()} does, with {@code data} saying what it keeps and what
     * it gets from the primary when it rejoins. Blocks until it listens and the views list it.
     */
    public void restart(RestartData data) {
        restart(nextProcessId(), data, true);
    }

    /** {@link #restart()} with an explicit new process id. */
    public void restart(long newProcessId) {
        restart(newProcessId, RestartData.RESYNCED, true);
    }

    private long nextProcessId() {
        long pid = processIdClock.getAsLong();
        if (cluster != null) {
            pid = Math.max(pid, cluster.maxProcessId() + 1);
        }
        return pid;
    }

    private void restart(long newProcessId, RestartData data, boolean join) {
        Objects.requireNonNull(data);
        if (alive) {
            kill();
        }
        onLoop(() -> {
            processId = newProcessId;
            if (data == RestartData.KEPT) {
                resetMemory();
            } else {
                resetState();
            }
            return null;
        });
        bind(address.getPort());
        onLoop(() -> {
            alive = true;
            if (cluster == null) {
                scheduleStandaloneFormation();
            }
            return null;
        });
        if (cluster != null && join) {
            awaitHop(cluster.nodeRestarted(this, data));
        }
    }

    /**
     * Crash-loops the node (spec Appendix C: a node restarted on its old data directory panicked
     * 0.3-0.4 s after each start): it listens for {@code life}, ending every connection at
     * {@code point}, dies (connects refused) for {@code down}, and starts again with a new process id,
     * its data kept, never joining the cluster (it dies before the catch-up). Closing the returned
     * handle ends the loop and leaves the node dead; {@link #restart()} it to recover. Do not restart
     * or kill the node yourself while the loop runs. Any non-event-loop thread.
     */
    public AutoCloseable crashLoop(Duration life, Duration down, CrashPoint point) {
        Objects.requireNonNull(point);
        if (life.isNegative() || life.isZero() || down.isNegative()) {
            throw new IllegalArgumentException("life must be positive and down not negative");
        }
        java.util.concurrent.ScheduledExecutorService lifecycle =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "nundb-sim-crash-loop-" + name);
                    t.setDaemon(true);
                    return t;
                });
        closeOnAccept = point == CrashPoint.BEFORE_GREETING;
        closeOnAuth = point == CrashPoint.BEFORE_AUTH;
        Runnable[] live = new Runnable[1];
        live[0] = () -> {
            if (!alive) {
                restart(nextProcessId(), RestartData.KEPT, false);
            }
            lifecycle.schedule(
                    () -> {
                        kill();
                        lifecycle.schedule(live[0], down.toNanos(), TimeUnit.NANOSECONDS);
                    },
                    life.toNanos(),
                    TimeUnit.NANOSECONDS);
        };
        lifecycle.execute(live[0]);
        return () -> {
            lifecycle.shutdownNow();
            if (!lifecycle.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the crash loop of " + name + " did not stop");
            }
            closeOnAccept = false;
            closeOnAuth = false;
            if (alive) {
                kill();
            }
        };
    }

    /**
     * Restart with the old data directory: what lived only in memory is lost (connections, watchers,
     * pending ops, EMAs, the view) and the op log is deleted as invalid; databases and keys stay.
     */
    private void resetMemory() {
        Map<String, SimulatedDatabase> kept = databases;
        resetState();
        for (SimulatedDatabase db : kept.values()) {
            db.connections = 0;
            db.keys.remove("$connections");
        }
        databases = kept;
    }

    private void resetState() {
        internalSession.database = null;
        databases = new LinkedHashMap<>();
        databases.put("$admin", new SimulatedDatabase("$admin", password, "newer"));
        watchers.clear();
        pending.clear();
        stoppedBacklog.clear();
        view = new TreeMap<>();
        formed = false;
        electing = false;
        opLogBytes = 0;
        replicationEma = new Ema(EMA_PERIOD);
        queryEma = new Ema(EMA_PERIOD);
    }

    /**
     * SIGSTOP: keeps accepting TCP but never greets, reads or replies; replicated operations sent
     * to it queue up unacked (the primary's {@code pending_ops} grows by one per write).
     */
    public void stop() {
        onLoop(() -> {
            stopped = true;
            for (SimulatedConnectionHandler c : connections) {
                c.pauseReading();
            }
            return null;
        });
    }

    /** SIGCONT: greets and answers everything that queued up, acks the replication backlog. */
    public void resume() {
        onLoop(() -> {
            stopped = false;
            for (SimulatedConnectionHandler c : new ArrayList<>(connections)) {
                c.resume();
            }
            List<Runnable> backlog = new ArrayList<>(stoppedBacklog);
            stoppedBacklog.clear();
            backlog.forEach(Runnable::run);
            return null;
        });
    }

    /** Delays every reply flush by {@code delay} (zero: faithful timing). */
    public void slowReplies(Duration delay) {
        replyDelayNanos = delay.toNanos();
    }

    /** Corrupts replies as {@code mode} says ({@link Garbling#NONE}: faithful). */
    public void garble(Garbling mode) {
        garbling = Objects.requireNonNull(mode);
    }

    /**
     * Drops the next {@code count} status lines of client sessions, as the real server does for a
     * parked sender (spec §1.3): the payload of each reply is sent, its status line never is.
     */
    public void skipStatusLines(int count) {
        statusLinesToSkip.set(count);
    }

    /**
     * Appends {@code count} (at most 65,536) invented members to every {@code cluster-state} view from now
     * on (0: the real view), connected secondaries named {@code 127.255.<i / 256>.<i % 256>:9}: loopback
     * literals on the discard port, so that dialling them needs no DNS and is refused at once. A hostile
     * or broken view: it is cleartext on the wire.
     */
    public void extraViewMembers(int count) {
        if (count < 0 || count > 65_536) {
            throw new IllegalArgumentException("extra view members: 0 to 65536, got " + count);
        }
        extraViewMembers = count;
    }

    /**
     * When on, every open client session and every new one is sent {@code x} bytes without ever a
     * {@code \n} (16 KiB every 10 ms, while the socket is writable) on top of its replies; off stops it.
     */
    public void streamWithoutNewline(boolean on) {
        streamWithoutNewline = on;
        if (on) {
            onLoop(() -> {
                for (SimulatedConnectionHandler c : connections) {
                    c.startStreaming();
                }
                return null;
            });
        }
    }

    /** When on, every {@code auth} answers {@code invalid auth} whatever the password. */
    public void rejectAuth(boolean on) {
        rejectAuth = on;
    }

    /** When on, each accepted connection is closed at once, before the greeting. */
    public void closeOnAccept(boolean on) {
        closeOnAccept = on;
    }

    /**
     * Status lines dropped while more than 100 messages are queued (real behaviour, default on);
     * off makes the node answer arbitrarily deep pipelines.
     */
    public void pipelineOverflow(boolean on) {
        pipelineOverflow = on;
    }

    /** A line fragment without {@code \n} when a read completes is dropped (real behaviour, default on). */
    public void discardPartialLines(boolean on) {
        discardPartialLines = on;
    }

    /** Resets (RST, SO_LINGER 0) every open connection; the node keeps listening. */
    public void resetConnections() {
        onLoop(() -> {
            for (SimulatedConnectionHandler c : new ArrayList<>(connections)) {
                c.reset();
            }
            return null;
        });
    }

    /** Sets the delay before replicated operations reach this node as a secondary. */
    public void replicationDelay(Duration delay) {
        replicationDelayNanos = delay.toNanos();
    }

    /**
     * Makes {@code metrics-state} answer these values instead of the computed ones ({@code null}:
     * computed again). For tests and the demo; the query EMA still takes its sample.
     */
    public void scriptMetricsState(SimulatedMetricsState values) {
        onLoop(() -> {
            scriptedMetrics = values;
            return null;
        });
    }

    /** Stops the node and, if it owns its event loop group, shuts that down. */
    @Override
    public void close() {
        if (alive) {
            kill();
        }
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    // ------------------------------------------------------------------ queries

    public String name() {
        return name;
    }

    /** The bound address (127.0.0.1 and the port); stays the same across restarts. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** The current process start time in ms since the epoch ({@code debug process-info}). */
    public long processId() {
        return processId;
    }

    public boolean isAlive() {
        return alive;
    }

    public boolean isStopped() {
        return stopped;
    }

    /** Command lines received (complete UTF-8 lines read), across restarts. */
    public long commandsReceived() {
        return commandsReceived.get();
    }

    /**
     * Requests received from clients (never the simulator's own replication and load session) whose
     * command is {@code command}: the first word ({@code "use-db"}), or for {@code debug} the first two
     * ({@code "debug pending-ops"}); across restarts. The real server logs one line per request (Appendix
     * C), so this is what a client costs a node's log.
     */
    public long commandsReceived(String command) {
        LongAdder n = clientCommands.get(command);
        return n == null ? 0 : n.sum();
    }

    /** TCP connections accepted, across restarts. */
    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections currently open. */
    public int openConnections() {
        return onLoop(connections::size);
    }

    /** The computed {@code metrics-state} values (ignores any script). */
    public SimulatedMetricsState metricsState() {
        return onLoop(this::computedMetrics);
    }

    /** This node's own view: member name to role as spelled on the wire; empty while starting up. */
    public NavigableMap<String, String> view() {
        return onLoop(() -> formed ? Collections.unmodifiableNavigableMap(new TreeMap<>(view)) : new TreeMap<>());
    }

    /** The role of the node's own {@code (self)} entry, or {@code StartingUp} before it formed. */
    public String role() {
        return onLoop(this::selfRole);
    }

    EventLoop loop() {
        return loop;
    }

    // ------------------------------------------------------------------ loop helpers

    /** Waits (at most 5 s, as {@link #onLoop}) for a hand-off between loops to complete. */
    private static void awaitHop(io.netty.util.concurrent.Future<?> hop) {
        if (!hop.awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("timed out waiting for the cluster's timeline");
        }
        if (!hop.isSuccess()) {
            throw new IllegalStateException(hop.cause());
        }
    }

    <T> T onLoop(Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(task).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    void connectionAccepted() {
        connectionsAccepted.incrementAndGet();
    }

    long nextOppId() {
        long candidate = oppIdClock.getAsLong();
        return oppIdHighWater.accumulateAndGet(candidate, (prev, c) -> c > prev ? c : prev + 1);
    }

    // ------------------------------------------------------------------ cluster hooks (on loop)

    void applyView(TreeMap<String, String> newView) {
        view = newView;
        formed = true;
        electing = false;
    }

    /** On the loop: the role {@code member} has in this node's view, or null. */
    String memberRole(String member) {
        return view.get(member);
    }

    /** On the loop: a copy of this node's view. */
    TreeMap<String, String> viewCopy() {
        return new TreeMap<>(view);
    }

    void removeMember(String member) {
        view.remove(member);
    }

    void addMember(String member, String role) {
        view.put(member, role);
    }

    /** Failover window: every member Secoundary, an {@code election candidate} broadcast pending. */
    void startElection() {
        electing = true;
        for (Map.Entry<String, String> e : view.entrySet()) {
            e.setValue(SECONDARY);
        }
        List<String> others = new ArrayList<>();
        for (String m : view.keySet()) {
            if (!m.equals(name)) {
                others.add(m);
            }
        }
        if (!others.isEmpty()) {
            ReplicatedOp op = ReplicatedOp.election(nextOppId(), processId, name);
            for (String m : others) {
                register(op, m);
            }
        }
    }

    /** Registers an operation as pending for one member (creates the entry for the first one). */
    void register(ReplicatedOp op, String member) {
        PendingOp p = pending.get(op.oppId());
        if (p == null) {
            p = new PendingOp(op.message(), op.oppId(), System.nanoTime());
            pending.put(op.oppId(), p);
        }
        p.members.put(member, Boolean.FALSE);
    }

    /** Acks of the election broadcast by every member that is still present. */
    void ackElectionEntries() {
        for (PendingOp p : new ArrayList<>(pending.values())) {
            if (p.message.startsWith("election candidate ")) {
                for (String m : new ArrayList<>(p.members.keySet())) {
                    if (view.containsKey(m)) {
                        acknowledge(p.oppId, m);
                    }
                }
            }
        }
    }

    /** {@code acknowledge_pending_opp} ({@code replication_ops.rs} l.71-103). */
    void acknowledge(long oppId, String member) {
        if (!alive) {
            return;
        }
        queryEma.add(0); // the ack line is a parsed request, counted twice (outer and inner)
        queryEma.add(0);
        PendingOp p = pending.get(oppId);
        if (p == null || !Boolean.FALSE.equals(p.members.get(member))) {
            return;
        }
        p.members.put(member, Boolean.TRUE);
        p.ackCount++;
        replicationEma.add((System.nanoTime() - p.startNanos) / 1_000_000L);
        if (p.ackCount == p.members.size()) {
            pending.remove(oppId);
        }
    }

    /** A replicated operation arrives from {@code from} (after this node's delay). */
    void receiveReplication(SimulatedNode from, ReplicatedOp op, int expectedIncarnation, boolean needsAck) {
        if (!alive || expectedIncarnation != incarnation) {
            return;
        }
        if (stopped) {
            stoppedBacklog.add(() -> receiveReplication(from, op, expectedIncarnation, needsAck));
            return;
        }
        if (needsAck) {
            // The replica queues its ack before it applies the command (process_request.rs l.524-541).
            String self = name;
            from.loop().execute(() -> from.acknowledge(op.oppId(), self));
            queryEma.add(0); // rp: outer request
        }
        queryEma.add(0);
        applyReplicated(op);
    }

    /** A write forwarded by a secondary (§5.3): applied here, then replicated to all secondaries. */
    void receiveForwarded(ReplicatedOp op) {
        if (!alive || !isPrimary()) {
            return;
        }
        queryEma.add(0);
        switch (op.kind()) {
            case SET -> {
                SimulatedDatabase db = databases.get(op.db());
                if (db != null && applySet(db, op.key(), parseIntOr(op.arg(), -1), op.value(), false)) {
                    replicate(ReplicatedOp.set(0, op.db(), op.key(), parseIntOr(op.arg(), -1), op.value()));
                }
            }
            case INCREMENT -> {
                SimulatedDatabase db = databases.get(op.db());
                int step = parseIntOr(op.arg(), 1);
                if (db != null && applyIncrement(db, op.key(), step) != null) {
                    replicate(ReplicatedOp.increment(0, op.db(), op.key(), step));
                }
            }
            default -> {}
        }
    }

    /** Full sync for a restarted node: plain commands, no {@code rp}, no ack (§5.2, Appendix B). */
    void receiveCatchUp(List<ReplicatedOp> ops, int expectedIncarnation) {
        if (!alive || expectedIncarnation != incarnation) {
            return;
        }
        for (ReplicatedOp op : ops) {
            applyReplicated(op);
        }
    }

    /** The catch-up this (primary) node would send: create-db, then one replicate per key. */
    List<ReplicatedOp> catchUpOps() {
        List<ReplicatedOp> ops = new ArrayList<>();
        for (SimulatedDatabase db : databases.values()) {
            if (db.name.equals("$admin")) {
                continue;
            }
            ops.add(ReplicatedOp.createDb(0, db.name, db.token(), db.strategy));
            for (Map.Entry<String, SimulatedDatabase.Entry> e : db.keys.entrySet()) {
                if (e.getKey().startsWith("$")) {
                    continue;
                }
                // Known resync bug (§5.7): "replicate <db> <key> <value>" without a version, so the
                // receiver takes the first word of the value as the version and keeps the rest.
                String v = e.getValue().value();
                int sp = v.indexOf(' ');
                String first = sp < 0 ? v : v.substring(0, sp);
                String rest = sp < 0 ? "" : v.substring(sp + 1);
                ops.add(ReplicatedOp.set(0, db.name, e.getKey(), parseIntOr(first, -1), rest));
            }
        }
        return ops;
    }

    private void applyReplicated(ReplicatedOp op) {
        switch (op.kind()) {
            case CREATE_DB -> {
                if (!databases.containsKey(op.db())) {
                    databases.put(op.db(), new SimulatedDatabase(op.db(), op.arg(), op.value()));
                    opLogBytes += OP_LOG_RECORD_BYTES;
                }
            }
            case SET -> {
                SimulatedDatabase db = databases.get(op.db());
                if (db != null && applySet(db, op.key(), parseIntOr(op.arg(), -1), op.value(), false)) {
                    opLogBytes += OP_LOG_RECORD_BYTES;
                }
            }
            case INCREMENT -> {
                SimulatedDatabase db = databases.get(op.db());
                if (db != null && applyIncrement(db, op.key(), parseIntOr(op.arg(), 1)) != null) {
                    opLogBytes += OP_LOG_RECORD_BYTES;
                }
            }
            case REMOVE -> {
                SimulatedDatabase db = databases.get(op.db());
                if (db != null) {
                    applyRemove(db, op.key());
                    opLogBytes += OP_LOG_RECORD_BYTES;
                }
            }
            case ELECTION -> {}
        }
    }

    /**
     * A replicable command succeeded here: one op-log record; a primary then registers it for every
     * {@code Secoundary} member and sends it; a secondary sends nothing on (§5.4).
     */
    private void replicate(ReplicatedOp op) {
        opLogBytes += OP_LOG_RECORD_BYTES;
        if (cluster == null || !isPrimary()) {
            return;
        }
        ReplicatedOp withId = op.withOppId(nextOppId());
        for (Map.Entry<String, String> e : view.entrySet()) {
            if (!e.getKey().equals(name) && SECONDARY.equals(e.getValue())) {
                SimulatedNode target = cluster.node(e.getKey());
                if (target != null) {
                    register(withId, e.getKey());
                    cluster.deliver(this, target, withId);
                }
            }
        }
    }

    private boolean isPrimary() {
        return formed && !electing && PRIMARY.equals(view.get(name));
    }

    String selfRole() {
        return formed ? view.getOrDefault(name, STARTING_UP) : STARTING_UP;
    }

    private String primaryInView() {
        for (Map.Entry<String, String> e : view.entrySet()) {
            if (PRIMARY.equals(e.getValue()) && !e.getKey().equals(name)) {
                return e.getKey();
            }
        }
        return null;
    }

    void disconnected(SimulatedConnectionHandler s) {
        unwatchAll(s);
        if (s.database != null && alive) {
            SimulatedDatabase db = s.database;
            db.connections--;
            setConnectionsKey(db);
        }
    }

    /** On the loop: runs {@code line} on the node's internal, authenticated session. */
    void executeInternal(String line) {
        execute(internalSession, line);
    }

    void submitInternal(String line) {
        loop.execute(() -> {
            if (alive && !stopped) {
                execute(internalSession, line);
            }
        });
    }

    // ------------------------------------------------------------------ commands

    /** Runs one request line (already stripped of its {@code \n}) for session {@code s}. */
    void execute(SimulatedConnectionHandler s, String raw) {
        commandsReceived.incrementAndGet();
        long t0 = System.nanoTime();
        // process_request.rs l.748: trim '\n' (not '\r', not spaces), then strip trailing ';'.
        String line = raw;
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ';') {
            end--;
        }
        line = line.substring(0, end);
        if (garbling == Garbling.STRAY_LINE) {
            s.payload("garbled \n");
        }
        if (line.isEmpty() || line.charAt(0) == ' ') {
            s.status("error empty command \n");
            return;
        }
        String[] parts = line.split(" ", 3);
        String word = parts[0];
        String arg1 = parts.length > 1 ? parts[1] : null;
        String rest = parts.length > 2 ? parts[2] : null;
        if (s != internalSession) {
            String command = word.equals("debug") && arg1 != null ? "debug " + arg1 : word;
            clientCommands.computeIfAbsent(command, k -> new LongAdder()).increment();
        }
        boolean parsed = run(s, word, arg1, rest);
        if (parsed) {
            queryEma.add((System.nanoTime() - t0) / 1_000_000L);
        }
    }

    private static void error(SimulatedConnectionHandler s, String message) {
        s.status("error " + message + " \n");
    }

    private static void ok(SimulatedConnectionHandler s) {
        s.status("ok \n");
    }

    private static void noDb(SimulatedConnectionHandler s) {
        s.payload("error no-db-selected\n");
        s.status("error error no-db-selected\n \n");
    }

    /** Returns false when the request did not parse (no query-EMA sample). */
    private boolean run(SimulatedConnectionHandler s, String word, String arg1, String rest) {
        switch (word) {
            case "auth" -> {
                if (closeOnAuth && s != internalSession) {
                    // A crash-looping node dies before auth completes (Appendix C).
                    s.close();
                    return true;
                }
                if (!s.authenticated && !rejectAuth && user.equals(arg1) && password.equals(rest)) {
                    s.authenticated = true;
                }
                s.payload(s.authenticated ? "valid auth\n" : "invalid auth\n");
                ok(s);
            }
            case "metrics-state" -> {
                if (!admin(s)) {
                    return true;
                }
                s.payload(renderMetrics());
                ok(s);
            }
            case "cluster-state" -> {
                if (!admin(s)) {
                    return true;
                }
                s.payload(renderClusterState());
                ok(s);
            }
            case "debug" -> {
                if (arg1 == null) {
                    error(s, "command is mandatory");
                    return false;
                }
                if (!admin(s)) {
                    return true;
                }
                debug(s, arg1);
            }
            case "list-commands" -> {
                if (!admin(s)) {
                    return true;
                }
                s.payload("commands-list ," + String.join(",", ALL_COMMANDS) + "\n");
                ok(s);
            }
            case "create-db" -> {
                if (arg1 == null || rest == null) {
                    error(s, "create-db must be followed by a token");
                    return false;
                }
                createDb(s, arg1, rest);
            }
            case "use-db", "use" -> {
                if (arg1 == null || rest == null) {
                    error(s, "set-safe must be followed by a version and key");
                    return false;
                }
                useDb(s, arg1, rest);
            }
            case "get" -> {
                if (arg1 == null) {
                    error(s, "get must contain a key");
                    return false;
                }
                if (requireDb(s) && readable(s, arg1)) {
                    SimulatedDatabase.Entry e = s.database.keys.get(arg1);
                    s.payload("value " + (e == null ? "<Empty>" : e.value()) + "\n");
                    ok(s);
                }
            }
            case "get-safe" -> {
                if (arg1 == null) {
                    error(s, "get-safe must contain a key");
                    return false;
                }
                if (requireDb(s) && readable(s, arg1)) {
                    SimulatedDatabase.Entry e = s.database.keys.get(arg1);
                    s.payload(
                            e == null
                                    ? "value-version 1 <Empty>\n"
                                    : "value-version " + e.version() + " " + e.value() + "\n");
                    ok(s);
                }
            }
            case "set" -> {
                String key = arg1 == null ? "" : arg1;
                String value = rest == null ? "" : rest;
                if (requireDb(s) && readable(s, key)) {
                    write(s, key, -1, value);
                }
            }
            case "set-safe" -> {
                if (arg1 == null) {
                    error(s, "set-safe must be followed by a version and key");
                    return false;
                }
                if (rest == null) {
                    error(s, "set-safe must be followed by a key");
                    return false;
                }
                String[] vk = rest.split(" ", 2);
                // set-safe <key> <version> <value>
                int version = parseIntOr(vk[0], -1);
                String value = vk.length > 1 ? vk[1] : "";
                if (requireDb(s) && readable(s, arg1)) {
                    write(s, arg1, version, value);
                }
            }
            case "increment" -> increment(s, arg1 == null ? "" : arg1, rest);
            case "remove" -> remove(s, arg1 == null ? "" : arg1);
            case "keys", "ls" -> {
                if (requireDb(s)) {
                    keys(s, arg1);
                }
            }
            case "watch" -> {
                if (arg1 == null) {
                    error(s, "watch must contain a key");
                    return false;
                }
                if (requireDb(s)) {
                    watchers.computeIfAbsent(s.database.name, d -> new LinkedHashMap<>())
                            .computeIfAbsent(arg1, k -> new ArrayList<>())
                            .add(s);
                    ok(s);
                }
            }
            case "unwatch" -> {
                if (arg1 == null) {
                    error(s, "unwatch must contain a key");
                    return false;
                }
                if (requireDb(s)) {
                    Map<String, List<SimulatedConnectionHandler>> byKey = watchers.get(s.database.name);
                    if (byKey != null && byKey.containsKey(arg1)) {
                        byKey.get(arg1).removeIf(w -> w == s);
                    }
                    ok(s);
                }
            }
            case "unwatch-all" -> {
                if (requireDb(s)) {
                    unwatchAll(s);
                    ok(s);
                }
            }
            case "snapshot" -> {
                if (!admin(s)) {
                    return true;
                }
                snapshot(s, arg1, rest);
            }
            case "create-user" -> {
                if (!admin(s)) {
                    return true;
                }
                if (requireDb(s)) {
                    String token = rest == null ? "" : rest;
                    write(s, "$$user_" + (arg1 == null ? "" : arg1), -1, token);
                }
            }
            case "set-permissions" -> {
                // Simplification: permissions are stored but not enforced.
                if (!admin(s)) {
                    return true;
                }
                if (requireDb(s)) {
                    write(s, "$$permission_$" + (arg1 == null ? "" : arg1), -1, rest == null ? "" : rest);
                }
            }
            case "arbiter", "resolve", "rp", "election" -> ok(s);
            case "ack",
                    "join",
                    "leave",
                    "set-primary",
                    "set-secoundary",
                    "replicate",
                    "replicate-increment",
                    "replicate-join",
                    "replicate-leave",
                    "replicate-since",
                    "replicate-snapshot" -> {
                // Cluster-internal commands: gated like the real server, otherwise a no-op here
                // (the simulator's nodes replicate in-process).
                if (admin(s)) {
                    ok(s);
                }
            }
            default -> {
                error(s, "unknown command: " + word);
                return false;
            }
        }
        return true;
    }

    private boolean admin(SimulatedConnectionHandler s) {
        if (!s.authenticated) {
            error(s, "Not auth");
            return false;
        }
        return true;
    }

    private boolean requireDb(SimulatedConnectionHandler s) {
        if (s.database == null) {
            noDb(s);
            return false;
        }
        return true;
    }

    private boolean readable(SimulatedConnectionHandler s, String key) {
        if (key.startsWith("$$") && !s.authenticated) {
            error(s, "To read security keys you must auth as an admin!");
            return false;
        }
        return true;
    }

    private void debug(SimulatedConnectionHandler s, String sub) {
        switch (sub) {
            case "pending-ops" -> {
                StringBuilder sb = new StringBuilder("pending-ops ");
                boolean first = true;
                for (PendingOp p : pending.values()) {
                    if (!first) {
                        sb.append('\n');
                    }
                    first = false;
                    sb.append(p.render());
                }
                s.payload(sb.append('\n').toString());
            }
            case "process-info" -> s.payload("process-info \nprocess_id: " + processId + "\n");
            case "list-dbs" -> {
                StringBuilder sb = new StringBuilder("dbs-list \n");
                boolean first = true;
                for (SimulatedDatabase db : databases.values()) {
                    if (!first) {
                        sb.append('\n');
                    }
                    first = false;
                    sb.append(db.name).append(" : ").append(db.strategy);
                }
                s.payload(sb.append('\n').toString());
            }
            case "pendding-conflitcts" -> {
                if (s.database == null) {
                    s.payload("error no-db-selected\n");
                } else {
                    s.payload("conflitcts-list \n");
                }
            }
            default -> {}
        }
        ok(s);
    }

    private void createDb(SimulatedConnectionHandler s, String db, String rest) {
        if (!admin(s)) {
            return;
        }
        if (!isPrimary()) {
            error(s, "Create database only allow from primary!");
            return;
        }
        if (databases.containsKey(db)) {
            error(s, "database already exists");
            return;
        }
        String[] ts = rest.split(" ", 2);
        String strategy = ts.length > 1 && (ts[1].equals("newer") || ts[1].equals("arbiter")) ? ts[1] : "none";
        databases.put(db, new SimulatedDatabase(db, ts[0], strategy));
        s.payload("create-db success\n");
        ok(s);
        replicate(ReplicatedOp.createDb(0, db, ts[0], strategy));
    }

    private void useDb(SimulatedConnectionHandler s, String dbName, String rest) {
        SimulatedDatabase db = databases.get(dbName);
        if (db == null) {
            error(s, "Not a valid database name");
            return;
        }
        String[] ut = rest.split(" ", 2);
        boolean valid;
        if (ut.length == 1) {
            valid = ut[0].equals(db.token());
        } else {
            SimulatedDatabase.Entry userToken = db.keys.get("$$user_" + ut[0]);
            valid = userToken != null && userToken.value().equals(ut[1]);
        }
        if (!valid) {
            error(s, "Invalid token");
            return;
        }
        s.database = db;
        db.connections++;
        setConnectionsKey(db);
        ok(s);
    }

    /** {@code $connections} is local: not replicated, not in the op log (§2.2). */
    private void setConnectionsKey(SimulatedDatabase db) {
        applySet(db, "$connections", -1, Integer.toString(db.connections), true);
    }

    /** set / set-safe from a client on this node (§5.3). */
    private void write(SimulatedConnectionHandler s, String key, int version, String value) {
        SimulatedDatabase db = s.database;
        boolean applied = applySet(db, key, version, value, false);
        if (!applied && "arbiter".equals(db.strategy)) {
            error(s, "An conflitct happend and there is no arbiter client not connected");
            return;
        }
        // TCP answers ok even for a rejected set-safe (Invalid version! is not an error there, §1.3).
        ok(s);
        if (!applied) {
            return;
        }
        ReplicatedOp op = ReplicatedOp.set(0, db.name, key, version, value);
        if (isPrimary()) {
            replicate(op);
        } else {
            opLogBytes += OP_LOG_RECORD_BYTES;
            forward(op);
        }
    }

    private void forward(ReplicatedOp op) {
        String primary = primaryInView();
        if (cluster != null && primary != null) {
            SimulatedNode p = cluster.node(primary);
            if (p != null) {
                cluster.forward(this, p, op);
            }
        }
    }

    /**
     * Applies a write with the version rules of §4: a new key gets V+1; an existing one cur+1 for
     * {@code set}, V+1 when V ≥ cur, else a conflict (strategy {@code newer}: accepted as cur+1).
     */
    private boolean applySet(SimulatedDatabase db, String key, int version, String value, boolean local) {
        SimulatedDatabase.Entry cur = db.keys.get(key);
        int stored;
        if (cur == null) {
            stored = version + 1;
        } else if (version == -1) {
            stored = cur.version() + 1;
        } else if (version >= cur.version()) {
            stored = version + 1;
        } else if ("newer".equals(db.strategy)) {
            stored = cur.version() + 1;
        } else {
            return false;
        }
        db.keys.put(key, new SimulatedDatabase.Entry(value, stored));
        notifyChanged(db, key, value, stored);
        return true;
    }

    private void notifyChanged(SimulatedDatabase db, String key, String value, int version) {
        List<SimulatedConnectionHandler> ws = watchersOf(db, key);
        if (ws.isEmpty()) {
            return;
        }
        String changed = "changed " + key + " " + value + "\n";
        String changedVersion = "changed-version " + key + " " + version + " " + value + "\n";
        for (SimulatedConnectionHandler w : new ArrayList<>(ws)) {
            w.push(changed);
            w.push(changedVersion);
        }
    }

    private List<SimulatedConnectionHandler> watchersOf(SimulatedDatabase db, String key) {
        Map<String, List<SimulatedConnectionHandler>> byKey = watchers.get(db.name);
        if (byKey == null) {
            return List.of();
        }
        List<SimulatedConnectionHandler> ws = byKey.get(key);
        return ws == null ? List.of() : ws;
    }

    private void increment(SimulatedConnectionHandler s, String key, String stepText) {
        if (!requireDb(s)) {
            return;
        }
        int step = parseIntOr(stepText == null ? null : stepText.split(" ", 2)[0], 1);
        SimulatedDatabase db = s.database;
        SimulatedDatabase.Entry cur = db.keys.get(key);
        if (cur != null && parseLongOrNull(cur.value()) == null) {
            error(s, "Key is not numeric");
            return;
        }
        if (!isPrimary()) {
            // On a non-primary node the increment is only forwarded (bo.rs l.561-587, §4).
            ok(s);
            forward(ReplicatedOp.increment(0, db.name, key, step));
            return;
        }
        applyIncrement(db, key, step);
        ok(s);
        replicate(ReplicatedOp.increment(0, db.name, key, step));
    }

    /** Returns the new value, or null if the stored value is not numeric. */
    private Long applyIncrement(SimulatedDatabase db, String key, int step) {
        SimulatedDatabase.Entry cur = db.keys.get(key);
        Long base = cur == null ? Long.valueOf(0) : parseLongOrNull(cur.value());
        if (base == null) {
            return null;
        }
        long next = base + step;
        String v = Long.toString(next);
        // The stored version is reset to 1; watchers see -1 (bo.rs l.561-587).
        db.keys.put(key, new SimulatedDatabase.Entry(v, 1));
        for (SimulatedConnectionHandler w : new ArrayList<>(watchersOf(db, key))) {
            w.push("changed " + key + " " + v + "\n");
            w.push("changed-version " + key + " -1 " + v + "\n");
        }
        return next;
    }

    private void remove(SimulatedConnectionHandler s, String key) {
        if (!requireDb(s)) {
            return;
        }
        if (key.equals("$$token")) {
            error(s, "$$token key cannot be removed");
            return;
        }
        if (!readable(s, key)) {
            return;
        }
        applyRemove(s.database, key);
        ok(s);
        if (isPrimary()) {
            replicate(ReplicatedOp.remove(0, s.database.name, key));
        } else {
            // On a secondary a remove is local only, never forwarded (bug, §5.3).
            opLogBytes += OP_LOG_RECORD_BYTES;
        }
    }

    private void applyRemove(SimulatedDatabase db, String key) {
        db.keys.remove(key);
        for (SimulatedConnectionHandler w : new ArrayList<>(watchersOf(db, key))) {
            w.push("removed " + key + "\n");
        }
    }

    private void keys(SimulatedConnectionHandler s, String pattern) {
        StringBuilder sb = new StringBuilder("keys ");
        for (String k : s.database.keys.keySet()) {
            if (k.startsWith("$$") && !s.authenticated) {
                continue;
            }
            if (matches(pattern, k)) {
                sb.append(',').append(k);
            }
        }
        s.payload(sb.append('\n').toString());
        ok(s);
    }

    private static boolean matches(String pattern, String key) {
        if (pattern == null || pattern.equals("*")) {
            return true;
        }
        if (pattern.endsWith("*")) {
            return key.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        if (pattern.startsWith("*")) {
            return key.endsWith(pattern.substring(1));
        }
        return key.contains(pattern);
    }

    private void snapshot(SimulatedConnectionHandler s, String arg1, String rest) {
        if (rest == null) {
            if (s.database == null) {
                error(s, "No database selected");
            } else {
                ok(s);
            }
            return;
        }
        List<String> invalid = new ArrayList<>();
        for (String db : rest.split("\\|")) {
            if (!databases.containsKey(db)) {
                invalid.add(db);
            }
        }
        if (invalid.size() == 1) {
            error(s, invalid.get(0) + " is not a valid database name");
        } else if (invalid.size() > 1) {
            error(s, String.join(", ", invalid) + ", are not a valid database names");
        } else {
            ok(s);
        }
    }

    private void unwatchAll(SimulatedConnectionHandler s) {
        for (Map<String, List<SimulatedConnectionHandler>> byKey : watchers.values()) {
            for (List<SimulatedConnectionHandler> ws : byKey.values()) {
                ws.removeIf(w -> w == s);
            }
        }
    }

    // ------------------------------------------------------------------ rendering

    private SimulatedMetricsState computedMetrics() {
        return new SimulatedMetricsState(
                pending.size(), opLogBytes, opLogBytes / OP_LOG_RECORD_BYTES, replicationEma.value(), queryEma.value());
    }

    private String renderMetrics() {
        SimulatedMetricsState m = scriptedMetrics != null ? scriptedMetrics : computedMetrics();
        if (garbling == Garbling.CORRUPT_METRICS_STATE) {
            return "metrics-state pending_ops: garbled, op_log_file_size: " + m.opLogFileSizeBytes() + "\n\n";
        }
        return "metrics-state pending_ops: " + m.pendingOps()
                + ", op_log_file_size: " + m.opLogFileSizeBytes()
                + ", op_log_count: " + m.opLogCount()
                + ",replication_time_moving_avg: " + RustFloatFormat.format(m.replicationTimeEmaMillis())
                + ", get_query_time_moving_avg: " + RustFloatFormat.format(m.queryTimeEmaMillis())
                + "\n\n";
    }

    private String renderClusterState() {
        StringBuilder sb = new StringBuilder("cluster-state ");
        if (formed) {
            List<String> entries = new ArrayList<>(view.size());
            for (Map.Entry<String, String> e : view.entrySet()) {
                entries.add(
                        e.getKey().equals(name)
                                ? e.getKey() + "(self):" + e.getValue() + " "
                                : e.getKey() + "(Connected):" + e.getValue());
            }
            Collections.sort(entries);
            for (String entry : entries) {
                sb.append(' ').append(entry).append(',');
            }
            int extra = extraViewMembers;
            for (int i = 0; i < extra; i++) {
                sb.append(" 127.255.")
                        .append(i >> 8 & 0xff)
                        .append('.')
                        .append(i & 0xff)
                        .append(":9(Connected):")
                        .append(SECONDARY)
                        .append(',');
            }
        }
        return sb.append('\n').toString();
    }

    private static int parseIntOr(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Long parseLongOrNull(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
