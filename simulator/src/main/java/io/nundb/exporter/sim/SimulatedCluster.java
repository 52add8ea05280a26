package io.nundb.exporter.sim;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
 * member vanishing, an election, a restarted node joining) run on the timeline loop: they ask each
 * node's loop for what they need and continue on the timeline once every answer is in, so no loop ever
 * waits for another. This object's monitor guards only the held-election flags and the load handles and
 * is never held while waiting. All nodes share one small event loop group (default 2 threads), so 100
 * nodes cost no thread per connection.
 */
public final class SimulatedCluster implements AutoCloseable {
    private final EventLoopGroup group;
    private final EventLoop timeline;
    private final List<SimulatedNode> nodes;
    private final Map<String, SimulatedNode> byName;
    private final Duration vanishDelay;
    private final Duration electionWindow;
    private final Duration startupWindow;
    private final boolean splitBrain;
    private final List<ScheduledFuture<?>> loads = new ArrayList<>();
    private final Map<SimulatedNode, Duration> staleHolds = new java.util.concurrent.ConcurrentHashMap<>();
    // guarded by this
    private boolean electionsHeld;
    // guarded by this: an election whose window ended while elections were held
    private boolean electionPending;

    private SimulatedCluster(Builder b) {
        this.group = new MultiThreadIoEventLoopGroup(b.threads, NioIoHandler.newFactory());
        this.timeline = group.next();
        this.vanishDelay = b.vanishDelay;
        this.electionWindow = b.electionWindow;
        this.startupWindow = b.startupWindow;
        this.splitBrain = b.splitBrain;
        List<SimulatedNode> list = new ArrayList<>(b.size);
        Map<String, SimulatedNode> names = new LinkedHashMap<>();
        for (int i = 0; i < b.size; i++) {
            String name = b.names.apply(i);
            SimulatedNode node = SimulatedNode.builder()
                    .name(name)
                    .credentials(b.user, b.password)
                    .processId(b.processIdBase + i)
                    .eventLoop(group.next())
                    .port(b.ports.getOrDefault(i, 0))
                    .replicationDelay(b.delays.getOrDefault(i, b.replicationDelay))
                    .oppIdClock(b.oppIdClock)
                    .processIdClock(b.processIdClock)
                    .build();
            node.cluster = this;
            list.add(node);
            if (names.put(name, node) != null) {
                throw new IllegalArgumentException("duplicate node name " + name);
            }
        }
        this.nodes = Collections.unmodifiableList(list);
        this.byName = Collections.unmodifiableMap(names);
    }

    /** Returns a builder; defaults: 3 nodes named {@code nundb-<i>.sim:3014}, user {@code nun}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SimulatedCluster}. Thread-safety: not thread-safe; use from one thread. */
    public static final class Builder {
        private int size = 3;
        private IntFunction<String> names = i -> "nundb-" + i + ".sim:3014";
        private String user = "nun";
        // The real server's debug-build default (spec §1.1), used by the spec's verbatim exchanges; the demo
        // and SimulatorMain always set random or given credentials.
        private String password = "nun-pwd";
        private long processIdBase = System.currentTimeMillis();
        private Duration replicationDelay = Duration.ZERO;
        private final Map<Integer, Duration> delays = new LinkedHashMap<>();
        private final Map<Integer, Integer> ports = new LinkedHashMap<>();
        private Duration vanishDelay = Duration.ofMillis(20);
        private Duration electionWindow = Duration.ofMillis(100);
        private Duration startupWindow = Duration.ZERO;
        private boolean splitBrain;
        private int threads = 2;
        private LongSupplier oppIdClock = SimulatedNode::epochNanos;
        private LongSupplier processIdClock = System::currentTimeMillis;

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

        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user);
            this.password = Objects.requireNonNull(password);
            return this;
        }

        /** Node i gets {@code process_id = base + i}, so node 0 is the oldest and the primary. */
        public Builder processIdBase(long base) {
            this.processIdBase = base;
            return this;
        }

        /** Default replication delay for every secondary. */
        public Builder replicationDelay(Duration delay) {
            this.replicationDelay = Objects.requireNonNull(delay);
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
            this.oppIdClock = Objects.requireNonNull(epochNanos);
            return this;
        }

        /** Source of process start times (ms) for restarts. */
        public Builder processIdClock(LongSupplier epochMillis) {
            this.processIdClock = Objects.requireNonNull(epochMillis);
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
        if (startupWindow.isZero()) {
            form();
        } else {
            timeline.schedule(this::form, startupWindow.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void form() {
        if (splitBrain) {
            formSplitBrain();
            return;
        }
        List<SimulatedNode> alive = aliveNodes();
        String primary = oldest(alive).name();
        TreeMap<String, String> v = new TreeMap<>();
        for (SimulatedNode n : alive) {
            v.put(n.name(), n.name().equals(primary) ? SimulatedNode.PRIMARY : SimulatedNode.SECONDARY);
        }
        for (SimulatedNode n : alive) {
            TreeMap<String, String> copy = new TreeMap<>(v);
            n.loop().execute(() -> n.applyView(copy));
        }
        cachedPrimary = byName.get(primary);
    }

    private void formSplitBrain() {
        SimulatedNode n1 = nodes.get(0);
        SimulatedNode n2 = nodes.get(1);
        SimulatedNode n3 = nodes.get(2);
        TreeMap<String, String> v1 = new TreeMap<>(Map.of(n1.name(), "Primary", n2.name(), "Secoundary"));
        TreeMap<String, String> v2 =
                new TreeMap<>(Map.of(n1.name(), "Primary", n2.name(), "Secoundary", n3.name(), "Secoundary"));
        TreeMap<String, String> v3 = new TreeMap<>(Map.of(n2.name(), "Secoundary", n3.name(), "Primary"));
        n1.loop().execute(() -> {
            n1.applyView(v1);
            // node1 kept its election candidate broadcast pending for node3 (§5.2, §5.5).
            n1.register(ReplicatedOp.election(n1.nextOppId(), n1.processId(), n1.name()), n3.name());
        });
        n2.loop().execute(() -> n2.applyView(v2));
        n3.loop().execute(() -> n3.applyView(v3));
        cachedPrimary = n1;
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
        for (SimulatedNode n : aliveNodes()) {
            if (SimulatedNode.PRIMARY.equals(n.role())) {
                return n;
            }
        }
        return null;
    }

    /** The admin user shared by all nodes. */
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

    private List<SimulatedNode> aliveNodes() {
        List<SimulatedNode> alive = new ArrayList<>();
        for (SimulatedNode n : nodes) {
            if (n.isAlive()) {
                alive.add(n);
            }
        }
        return alive;
    }

    private static SimulatedNode oldest(List<SimulatedNode> candidates) {
        SimulatedNode best = null;
        for (SimulatedNode n : candidates) {
            if (best == null || n.processId() < best.processId()) {
                best = n;
            }
        }
        return best;
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

    // ------------------------------------------------------------------ failover timeline

    void nodeKilled(SimulatedNode dead) {
        String deadName = dead.name();
        timeline.schedule(() -> vanish(deadName), vanishDelay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** On the timeline: the dead member leaves every survivor's view; an election if it was a primary. */
    private void vanish(String deadName) {
        SimulatedNode dead = byName.get(deadName);
        if (dead.isAlive()) {
            return; // restarted meanwhile
        }
        List<SimulatedNode> survivors = aliveNodes();
        List<Future<String>> roles = new ArrayList<>(survivors.size());
        for (SimulatedNode n : survivors) {
            roles.add(n.loop().submit(() -> n.memberRole(deadName)));
        }
        whenAll(roles, null, seen -> {
            if (dead.isAlive()) {
                return;
            }
            boolean election = seen.contains(SimulatedNode.PRIMARY);
            for (SimulatedNode n : survivors) {
                Duration hold = staleHolds.get(n);
                if (hold != null && !election) {
                    // This survivor keeps listing the dead member as Connected (Appendix C: ~82 s).
                    timeline.schedule(
                            () -> {
                                if (!dead.isAlive()) {
                                    n.loop().execute(() -> n.removeMember(deadName));
                                }
                            },
                            hold.toNanos(),
                            TimeUnit.NANOSECONDS);
                    continue;
                }
                n.loop().execute(() -> {
                    n.removeMember(deadName);
                    if (election) {
                        n.startElection();
                    }
                });
            }
            if (election) {
                cachedPrimary = null;
                if (!survivors.isEmpty()) {
                    timeline.schedule(this::elect, electionWindow.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        });
    }

    /**
     * Runs {@code then} on the timeline with the futures' results once all have completed; never blocks.
     * If one failed (a loop shut down), {@code then} is skipped and {@code failure}, if any, fails.
     */
    private <T> void whenAll(List<Future<T>> futures, Promise<?> failure, Consumer<List<T>> then) {
        Runnable finish = () -> {
            List<T> results = new ArrayList<>(futures.size());
            for (Future<T> f : futures) {
                if (!f.isSuccess()) {
                    if (failure != null) {
                        failure.tryFailure(f.cause());
                    }
                    return;
                }
                results.add(f.getNow());
            }
            then.accept(results);
        };
        if (futures.isEmpty()) {
            timeline.execute(finish);
            return;
        }
        AtomicInteger remaining = new AtomicInteger(futures.size());
        for (Future<T> f : futures) {
            f.addListener(done -> {
                if (remaining.decrementAndGet() == 0) {
                    timeline.execute(finish);
                }
            });
        }
    }

    private synchronized void elect() {
        if (electionsHeld) {
            electionPending = true;
            return;
        }
        electionPending = false;
        List<SimulatedNode> survivors = aliveNodes();
        if (survivors.isEmpty()) {
            return;
        }
        String winner = oldest(survivors).name();
        cachedPrimary = byName.get(winner);
        for (SimulatedNode n : survivors) {
            n.loop().execute(() -> {
                n.ackElectionEntries();
                TreeMap<String, String> v = new TreeMap<>();
                for (SimulatedNode m : survivors) {
                    v.put(m.name(), m.name().equals(winner) ? SimulatedNode.PRIMARY : SimulatedNode.SECONDARY);
                }
                n.applyView(v);
            });
        }
    }

    /** What a joining node takes from the primary: its view and the catch-up (read on its loop). */
    private record PrimaryState(TreeMap<String, String> view, List<ReplicatedOp> catchUp) {}

    /**
     * A restarted node joins (on the timeline): it becomes a secondary in the primary's view and gets a
     * catch-up without acks, or, with nobody to join, a lone primary (Appendix B). The returned future
     * completes once its view and the other members' views are set.
     */
    Future<Void> nodeRestarted(SimulatedNode node, RestartData data) {
        Promise<Void> joined = timeline.newPromise();
        timeline.execute(() -> join(node, data, joined));
        return joined;
    }

    private void join(SimulatedNode node, RestartData data, Promise<Void> joined) {
        List<SimulatedNode> others = new ArrayList<>(aliveNodes());
        others.remove(node);
        List<Future<String>> roles = new ArrayList<>(others.size());
        for (SimulatedNode n : others) {
            roles.add(n.loop().submit(n::selfRole));
        }
        whenAll(roles, joined, rs -> {
            SimulatedNode primary = null;
            for (int i = 0; i < rs.size(); i++) {
                if (SimulatedNode.PRIMARY.equals(rs.get(i))) {
                    primary = others.get(i);
                }
            }
            if (primary == null) {
                TreeMap<String, String> v = new TreeMap<>();
                v.put(node.name(), SimulatedNode.PRIMARY);
                cachedPrimary = node;
                completeWhenApplied(List.of(node.loop().submit(() -> node.applyView(v), (Void) null)), joined);
                return;
            }
            SimulatedNode p = primary;
            whenAll(List.of(p.loop().submit(() -> new PrimaryState(p.viewCopy(), p.catchUpOps()))), joined, st -> {
                PrimaryState ps = st.get(0);
                TreeMap<String, String> v = new TreeMap<>(ps.view());
                v.put(node.name(), SimulatedNode.SECONDARY);
                int inc = node.incarnation;
                List<Future<Void>> applied = new ArrayList<>(others.size() + 1);
                applied.add(node.loop().submit(() -> node.applyView(v), (Void) null));
                for (SimulatedNode n : others) {
                    applied.add(n.loop().submit(() -> n.addMember(node.name(), SimulatedNode.SECONDARY), (Void) null));
                }
                completeWhenApplied(applied, joined);
                node.loop()
                        .schedule(
                                () -> node.receiveCatchUp(catchUpFor(data, ps.catchUp()), inc),
                                node.replicationDelayNanos,
                                TimeUnit.NANOSECONDS);
            });
        });
    }

    /** The part of the primary's full sync a node restarted with {@code data} gets. */
    private static List<ReplicatedOp> catchUpFor(RestartData data, List<ReplicatedOp> fullSync) {
        return switch (data) {
            case RESYNCED -> fullSync;
            case WIPED -> {
                List<ReplicatedOp> dbs = new ArrayList<>();
                for (ReplicatedOp op : fullSync) {
                    if (op.kind() == ReplicatedOp.Kind.CREATE_DB) {
                        dbs.add(op);
                    }
                }
                yield dbs;
            }
            case KEPT, WIPED_WITHOUT_DATABASES -> List.of();
        };
    }

    /** Completes {@code joined} on the timeline once every view change has been applied on its loop. */
    private <T> void completeWhenApplied(List<Future<T>> applied, Promise<Void> joined) {
        whenAll(applied, joined, done -> joined.trySuccess(null));
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
    public synchronized void holdElections(boolean on) {
        electionsHeld = on;
        if (!on && electionPending) {
            elect();
        }
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
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold must not be negative");
        }
        if (hold.isZero()) {
            staleHolds.remove(nodes.get(index));
        } else {
            staleHolds.put(nodes.get(index), hold);
        }
    }

    /**
     * Kills node {@code index} with {@code writes} sets ({@code race-<i>}) on the primary in the same
     * instant (spec Appendix C): the writes are registered for the dead member, still in the primary's
     * view, and never acked by it, so they stay pending on the primary (orphaned) even after it rejoins.
     * Creates {@code db} with {@code token} on the primary if missing. The node must not be the primary.
     */
    public void killRacingWrites(int index, String db, String token, int writes) {
        SimulatedNode target = nodes.get(index);
        SimulatedNode p = primaryNoWait();
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
        ScheduledFuture<?> f = timeline.scheduleAtFixedRate(
                () -> {
                    SimulatedNode p = primaryNoWait();
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

    /** The primary as the timeline last decided it; read on the timeline loop without blocking. */
    private volatile SimulatedNode cachedPrimary;

    private SimulatedNode primaryNoWait() {
        SimulatedNode p = cachedPrimary;
        if (p != null && p.isAlive()) {
            return p;
        }
        return null;
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
