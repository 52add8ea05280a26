package io.nundb.exporter.sim;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * A simulated Nun-db cluster on loopback: N {@link SimulatedNode}s whose names differ from their
 * listen addresses, sharing admin credentials, one primary (the lowest {@code process_id}),
 * replication from the primary to the secondaries with a per-node delay, and the real failover
 * timeline (spec §5.7, Appendix B): a killed member vanishes from every survivor's view after
 * {@code vanishDelay} (real: within 60 ms); when it was the primary, the survivors show themselves
 * {@code (self):Secoundary} with an {@code election candidate} entry pending for
 * {@code electionWindow} (real: 0.1-1.5 s), then the oldest survivor becomes {@code Primary}.
 *
 * <p>Thread-safety: public methods may be called from any non-event-loop thread. Node state is
 * confined to each node's loop and changed only through {@code loop.execute}. Membership changes (a
 * member vanishing, an election, a restarted node joining) run on the {@link ClusterTimeline}'s loop
 * and never make one loop wait for another. This object's monitor guards only the load handles and is
 * never held while waiting. All nodes share one small event loop group (default 2 threads), so 100
 * nodes cost no thread per connection.
 */
public final class SimulatedCluster implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<SimulatedNode> nodes;
    private final Map<String, SimulatedNode> byName;
    private final ClusterTimeline membership;
    private final Duration startupWindow;
    private final boolean splitBrain;
    // guarded by this
    private final List<ScheduledFuture<?>> loads = new ArrayList<>();

    private SimulatedCluster(Builder b) {
        this.group = new MultiThreadIoEventLoopGroup(b.threads, NioIoHandler.newFactory());
        EventLoop timeline = group.next();
        this.startupWindow = b.startupWindow;
        this.splitBrain = b.splitBrain;
        List<SimulatedNode> list = new ArrayList<>(b.size);
        Map<String, SimulatedNode> names = new LinkedHashMap<>();
        for (int i = 0; i < b.size; i++) {
            String name = b.names.apply(i);
            SimulatedNode.Builder nb = b.nodeDefaults
                    .copy()
                    .name(name)
                    .processId(b.processIdBase + i)
                    .eventLoop(group.next())
                    .port(b.ports.getOrDefault(i, 0));
            Duration delay = b.delays.get(i);
            if (delay != null) {
                nb.replicationDelay(delay);
            }
            SimulatedNode node = nb.build();
            node.cluster = this;
            list.add(node);
            if (names.put(name, node) != null) {
                throw new IllegalArgumentException("duplicate node name " + name);
            }
        }
        this.nodes = Collections.unmodifiableList(list);
        this.byName = Collections.unmodifiableMap(names);
        this.membership = new ClusterTimeline(timeline, nodes, byName, b.vanishDelay, b.electionWindow);
    }

    /** Returns a builder; defaults: 3 nodes named {@code nundb-<i>.sim:3014}, user {@code nun}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SimulatedCluster}. Thread-safety: not thread-safe; use from one thread. */
    public static final class Builder {
        private int size = 3;
        private IntFunction<String> names = i -> "nundb-" + i + ".sim:3014";
        // Credentials, replication delay and clocks every node gets (SimulatedNode.Builder's defaults).
        private final SimulatedNode.Builder nodeDefaults = SimulatedNode.builder();
        private long processIdBase = System.currentTimeMillis();
        private final Map<Integer, Duration> delays = new LinkedHashMap<>();
        private final Map<Integer, Integer> ports = new LinkedHashMap<>();
        private Duration vanishDelay = Duration.ofMillis(20);
        private Duration electionWindow = Duration.ofMillis(100);
        private Duration startupWindow = Duration.ZERO;
        private boolean splitBrain;
        private int threads = 2;

        private Builder() {}

        /** Number of nodes (at least 1). */
        public Builder size(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("size must be at least 1");
            }
            this.size = size;
            return this;
        }

        /** Node names by index (the {@code (self)} names); must be distinct. */
        public Builder names(IntFunction<String> names) {
            this.names = Objects.requireNonNull(names);
            return this;
        }

        /** Node names, one per node; also sets the size. */
        public Builder names(List<String> names) {
            List<String> copy = List.copyOf(names);
            this.size = copy.size();
            this.names = copy::get;
            return this;
        }

        /** The admin user and password of every node (default {@code nun}, {@code nun-pwd}). */
        public Builder credentials(String user, String password) {
            nodeDefaults.credentials(user, password);
            return this;
        }

        /** Node i gets {@code process_id = base + i}, so node 0 is the oldest and the primary. */
        public Builder processIdBase(long base) {
            this.processIdBase = base;
            return this;
        }

        /** Default replication delay for every secondary. */
        public Builder replicationDelay(Duration delay) {
            nodeDefaults.replicationDelay(delay);
            return this;
        }

        /** Replication delay of node {@code index}. */
        public Builder replicationDelay(int index, Duration delay) {
            delays.put(index, Objects.requireNonNull(delay));
            return this;
        }

        /**
         * Listen port of node {@code index} (default 0: ephemeral). A cluster restarted on the
         * ports of a closed one looks, to a client, like the same nodes coming back.
         */
        public Builder port(int index, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            ports.put(index, port);
            return this;
        }

        /** How long after a kill the member vanishes from survivors' views (real: within 60 ms). */
        public Builder vanishDelay(Duration delay) {
            this.vanishDelay = Objects.requireNonNull(delay);
            return this;
        }

        /** The failover window with no primary (real: 0.1-1.5 s; default 100 ms). */
        public Builder electionWindow(Duration window) {
            this.electionWindow = Objects.requireNonNull(window);
            return this;
        }

        /** How long the nodes answer {@code "cluster-state \n"} after start (real: ~1.04 s; default 0). */
        public Builder startupWindow(Duration window) {
            this.startupWindow = Objects.requireNonNull(window);
            return this;
        }

        /**
         * Start as the real start-up split brain (§3.2, §5.2); needs exactly 3 nodes: node 0 and
         * node 2 each {@code (self):Primary}, node 1 listing all three with node 0 primary.
         */
        public Builder startupSplitBrain(boolean on) {
            this.splitBrain = on;
            return this;
        }

        /** Event loop threads shared by all nodes (default 2). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Source of {@code opp_id}s (ns since the epoch) for all nodes. */
        public Builder oppIdClock(LongSupplier epochNanos) {
            nodeDefaults.oppIdClock(epochNanos);
            return this;
        }

        /** Source of process start times (ms) for restarts. */
        public Builder processIdClock(LongSupplier epochMillis) {
            nodeDefaults.processIdClock(epochMillis);
            return this;
        }

        /** Builds and starts every node; blocks until all listen and views are set. */
        public SimulatedCluster start() {
            if (splitBrain && size != 3) {
                throw new IllegalArgumentException("the start-up split brain needs exactly 3 nodes");
            }
            SimulatedCluster c = new SimulatedCluster(this);
            c.startAll();
            return c;
        }
    }

    private void startAll() {
        for (SimulatedNode n : nodes) {
            n.start();
        }
        membership.form(startupWindow, splitBrain);
    }

    // ------------------------------------------------------------------ queries

    /** The nodes, in builder order (node 0 has the lowest start-time process id). */
    public List<SimulatedNode> nodes() {
        return nodes;
    }

    public SimulatedNode node(int index) {
        return nodes.get(index);
    }

    /** The node with this self-name, or null. */
    public SimulatedNode node(String name) {
        return byName.get(name);
    }

    /** The live node whose own view says {@code (self):Primary}, or null (none, e.g. in a failover). */
    public SimulatedNode primary() {
        for (SimulatedNode n : membership.aliveNodes()) {
            if (SimulatedNode.PRIMARY.equals(n.role())) {
                return n;
            }
        }
        return null;
    }

    /** The number of nodes, alive or not. */
    public int size() {
        return nodes.size();
    }

    long maxProcessId() {
        long max = 0;
        for (SimulatedNode n : nodes) {
            max = Math.max(max, n.processId());
        }
        return max;
    }

    // ------------------------------------------------------------------ replication transport

    /** Sends an {@code rp} operation from {@code from} to {@code target}, arriving after the target's delay. */
    void deliver(SimulatedNode from, SimulatedNode target, ReplicatedOp op) {
        int inc = target.incarnation;
        target.loop()
                .schedule(
                        () -> target.receiveReplication(from, op, inc, true),
                        target.replicationDelayNanos,
                        TimeUnit.NANOSECONDS);
    }

    /** A secondary forwards a write to its primary (no rp, no ack), after the secondary's delay. */
    void forward(SimulatedNode from, SimulatedNode primary, ReplicatedOp op) {
        int inc = primary.incarnation;
        primary.loop()
                .schedule(
                        () -> {
                            if (primary.incarnation == inc) {
                                primary.receiveForwarded(op);
                            }
                        },
                        from.replicationDelayNanos,
                        TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ membership (see ClusterTimeline)

    void nodeKilled(SimulatedNode dead) {
        membership.nodeKilled(dead);
    }

    /** The restarted node's join; completes once its view and the other members' views are set. */
    Future<Void> nodeRestarted(SimulatedNode node, RestartData data) {
        return membership.nodeRestarted(node, data);
    }

    // ------------------------------------------------------------------ faults & load

    /** Kills node {@code index} (see {@link SimulatedNode#kill()}). */
    public void kill(int index) {
        nodes.get(index).kill();
    }

    /**
     * While on, an election started by the primary's death never finishes: the survivors stay
     * {@code (self):Secoundary} with the candidate entry pending, a sustained no-primary state.
     * Turning it off finishes a pending election at once (the oldest survivor becomes primary).
     */
    public void holdElections(boolean on) {
        membership.holdElections(on);
    }

    /** Restarts node {@code index} with a new, youngest process id; it rejoins as a secondary. */
    public void restart(int index) {
        nodes.get(index).restart();
    }

    /** {@link #restart(int)} with {@code data} saying what the node keeps and gets (see {@link RestartData}). */
    public void restart(int index, RestartData data) {
        nodes.get(index).restart(data);
    }

    /**
     * Node {@code index} keeps listing a member that died as {@code (Connected)} for {@code hold} while
     * the others drop it within the vanish delay (spec Appendix C: a survivor kept a dead secondary for
     * about 82 s while the primary had dropped it). Applies to members dying from now on, and only to a
     * dead secondary: a dead primary's election gives every survivor the new view. {@link Duration#ZERO}
     * restores the normal vanish.
     */
    public void staleView(int index, Duration hold) {
        membership.staleView(nodes.get(index), hold);
    }

    /**
     * Kills node {@code index} with {@code writes} sets ({@code race-<i>}) on the primary in the same
     * instant (spec Appendix C): the writes are registered for the dead member, still in the primary's
     * view, and never acked by it, so they stay pending on the primary (orphaned) even after it rejoins.
     * Creates {@code db} with {@code token} on the primary if missing. The node must not be the primary.
     */
    public void killRacingWrites(int index, String db, String token, int writes) {
        SimulatedNode target = nodes.get(index);
        SimulatedNode p = membership.primaryNoWait();
        if (p == null || p == target) {
            throw new IllegalStateException("needs a live primary other than the node killed");
        }
        target.kill(() -> p.onLoop(() -> {
            p.executeInternal("create-db " + db + " " + token);
            p.executeInternal("use-db " + db + " " + token);
            for (int i = 0; i < writes; i++) {
                p.executeInternal("set race-" + i + " " + i);
            }
            return null;
        }));
    }

    /**
     * Writes {@code set load-<n % 100> <n>} on the current primary at {@code ratePerSecond}, creating
     * {@code db} with {@code token} first if needed. Returns a handle that stops the load.
     */
    public AutoCloseable startWriteLoad(String db, String token, int ratePerSecond) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("ratePerSecond must be positive");
        }
        long periodNanos = 1_000_000_000L / ratePerSecond;
        long[] counter = new long[1];
        SimulatedNode[] selectedOn = new SimulatedNode[1];
        int[] selectedIncarnation = new int[1];
        ScheduledFuture<?> f = membership
                .loop()
                .scheduleAtFixedRate(
                        () -> {
                            SimulatedNode p = membership.primaryNoWait();
                            if (p == null) {
                                return;
                            }
                            if (selectedOn[0] != p || selectedIncarnation[0] != p.incarnation) {
                                selectedOn[0] = p;
                                selectedIncarnation[0] = p.incarnation;
                                p.submitInternal("create-db " + db + " " + token);
                                p.submitInternal("use-db " + db + " " + token);
                            }
                            long n = counter[0]++;
                            p.submitInternal("set load-" + (n % 100) + " " + n);
                        },
                        0,
                        periodNanos,
                        TimeUnit.NANOSECONDS);
        synchronized (this) {
            loads.add(f);
        }
        return () -> f.cancel(false);
    }

    /** Stops every node and the shared event loop group. */
    @Override
    public void close() {
        synchronized (this) {
            for (ScheduledFuture<?> f : loads) {
                f.cancel(false);
            }
        }
        for (SimulatedNode n : nodes) {
            if (n.isAlive()) {
                n.kill();
            }
        }
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
