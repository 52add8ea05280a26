package io.nundb.exporter.sim;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The membership timeline of a {@link SimulatedCluster}: forming the first views, a killed member
 * vanishing from the survivors' views, the election that follows a primary's death, and a restarted
 * node joining (spec §5.7, Appendix B).
 *
 * <p>Thread-safety: every membership change runs on the timeline loop; it asks each node's loop for
 * what it needs and continues on the timeline once every answer is in, so no loop ever waits for
 * another. This object's monitor guards only the held-election flags and is never held while waiting.
 * {@link #nodeKilled}, {@link #nodeRestarted}, {@link #holdElections}, {@link #staleView} and
 * {@link #primaryNoWait} may be called from any thread.
 */
final class ClusterTimeline {
    private final EventLoop timeline;
    private final List<SimulatedNode> nodes;
    private final Map<String, SimulatedNode> byName;
    private final Duration vanishDelay;
    private final Duration electionWindow;
    private final Map<SimulatedNode, Duration> staleHolds = new ConcurrentHashMap<>();
    /** The primary as the timeline last decided it; read without blocking. */
    private volatile SimulatedNode cachedPrimary;
    // guarded by this
    private boolean electionsHeld;
    // guarded by this: an election whose window ended while elections were held
    private boolean electionPending;

    ClusterTimeline(
            EventLoop timeline,
            List<SimulatedNode> nodes,
            Map<String, SimulatedNode> byName,
            Duration vanishDelay,
            Duration electionWindow) {
        this.timeline = timeline;
        this.nodes = nodes;
        this.byName = byName;
        this.vanishDelay = vanishDelay;
        this.electionWindow = electionWindow;
    }

    EventLoop loop() {
        return timeline;
    }

    /**
     * Gives the started nodes their first views after {@code startupWindow}: the oldest node primary,
     * or, with {@code splitBrain}, the real start-up split brain of three nodes (§3.2, §5.2).
     */
    void form(Duration startupWindow, boolean splitBrain) {
        Runnable form = splitBrain ? this::formSplitBrain : this::formOnePrimary;
        if (startupWindow.isZero()) {
            form.run();
        } else {
            timeline.schedule(form, startupWindow.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void formOnePrimary() {
        List<SimulatedNode> alive = aliveNodes();
        SimulatedNode primary = oldest(alive);
        for (SimulatedNode n : alive) {
            TreeMap<String, String> v = viewWithPrimary(alive, primary);
            n.loop().execute(() -> n.applyView(v));
        }
        cachedPrimary = primary;
    }

    private void formSplitBrain() {
        SimulatedNode n1 = nodes.get(0);
        SimulatedNode n2 = nodes.get(1);
        SimulatedNode n3 = nodes.get(2);
        TreeMap<String, String> v1 =
                new TreeMap<>(Map.of(n1.name(), SimulatedNode.PRIMARY, n2.name(), SimulatedNode.SECONDARY));
        TreeMap<String, String> v2 = viewWithPrimary(List.of(n1, n2, n3), n1);
        TreeMap<String, String> v3 =
                new TreeMap<>(Map.of(n2.name(), SimulatedNode.SECONDARY, n3.name(), SimulatedNode.PRIMARY));
        n1.loop().execute(() -> {
            n1.applyView(v1);
            // node1 kept its election candidate broadcast pending for node3 (§5.2, §5.5).
            n1.register(ReplicatedOp.election(n1.nextOppId(), n1.processId(), n1.name()), n3.name());
        });
        n2.loop().execute(() -> n2.applyView(v2));
        n3.loop().execute(() -> n3.applyView(v3));
        cachedPrimary = n1;
    }

    /** A fresh view listing {@code members}, {@code primary} as Primary and the others as secondaries. */
    private static TreeMap<String, String> viewWithPrimary(List<SimulatedNode> members, SimulatedNode primary) {
        TreeMap<String, String> v = new TreeMap<>();
        for (SimulatedNode m : members) {
            v.put(m.name(), m == primary ? SimulatedNode.PRIMARY : SimulatedNode.SECONDARY);
        }
        return v;
    }

    List<SimulatedNode> aliveNodes() {
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

    /** The live primary as the timeline last decided it, or null; never blocks. */
    SimulatedNode primaryNoWait() {
        SimulatedNode p = cachedPrimary;
        if (p != null && p.isAlive()) {
            return p;
        }
        return null;
    }

    // ------------------------------------------------------------------ a member dies

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
        SimulatedNode winner = oldest(survivors);
        cachedPrimary = winner;
        for (SimulatedNode n : survivors) {
            TreeMap<String, String> v = viewWithPrimary(survivors, winner);
            n.loop().execute(() -> {
                n.ackElectionEntries();
                n.applyView(v);
            });
        }
    }

    /** See {@link SimulatedCluster#holdElections(boolean)}. */
    synchronized void holdElections(boolean on) {
        electionsHeld = on;
        if (!on && electionPending) {
            elect();
        }
    }

    /** See {@link SimulatedCluster#staleView(int, Duration)}. */
    void staleView(SimulatedNode node, Duration hold) {
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold must not be negative");
        }
        if (hold.isZero()) {
            staleHolds.remove(node);
        } else {
            staleHolds.put(node, hold);
        }
    }

    // ------------------------------------------------------------------ a member comes back

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
}
