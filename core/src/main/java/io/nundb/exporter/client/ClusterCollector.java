package io.nundb.exporter.client;

import static io.nundb.exporter.model.LogField.Key.MEMBER;
import static io.nundb.exporter.model.LogField.Key.NODE;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.nundb.exporter.model.LogField;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.ViewMember;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.SingleWriterRequestTimings;
import io.nundb.exporter.transport.Transport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Discovers and polls every node of one Nun-db cluster, continuously, and publishes one immutable
 * {@link ClusterSnapshot} per poll interval for the HTTP side to read without locks.
 *
 * <p>Discovery: each seed is dialled; every member named in any node's {@code cluster-state} view is
 * dialled too (at the address map's address, or at its name). A seed is merged with the node it reports
 * as {@code (self)}. Nodes are remembered: the real server drops a dead member from every view within 60
 * ms instead of showing it {@code Disconnected} (spec Appendix B), so a node that vanishes keeps being
 * dialled and reported down until {@link ClientConfig#memberRetention()} passes without it being up or
 * listed; seeds are never forgotten.
 *
 * <p>Credentials: the password and the canary token are read from their suppliers on the caller's thread
 * at construction and again on the collector thread at every publication ({@link Secret}); node event
 * loops only read the published value, never a file.
 *
 * <p>Edges between the layers: the collector calls down into its nodes (start, stop, rename, the members'
 * process starts as a value); nodes tell it what they saw through {@link NodeListener} events that carry
 * values, and the canary's write failures reach the {@link CanaryCoordinator} as sequence numbers; both
 * are handed to the collector thread, never run on a node's loop.
 *
 * <p>Failures: a throwable escaping one of the node or collector tasks is recorded ({@link #failure()})
 * so that the health endpoint reports it; an {@link Error} is never swallowed.
 *
 * <p>Thread-safety: membership is changed only on the collector's own single thread; each node's state
 * lives on its event loop; {@link #snapshot()}, {@link #firstCollectionComplete()} and {@link #failure()}
 * read volatile fields and are safe from any thread.
 */
public final class ClusterCollector implements ClusterSnapshotSource, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterCollector.class.getName());

    private final ClientConfig config;
    private final TimeSource time;
    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ScheduledExecutorService executor;
    private final RequestTimingConfig timingConfig;
    private final CanaryConfig canaryConfig;
    private final CanaryCoordinator canary;
    private final SentinelCoordinator sentinel;
    private final Secret password;
    private final Secret canaryToken;
    private final TaskFailures failures = new TaskFailures();

    // Collector-thread state.
    private final Map<String, Entry> nodes = new HashMap<>();
    private boolean started;
    /** The members' process starts last handed to the nodes. */
    private Map<String, Long> memberStarts = Map.of();

    /** The known nodes' clients, replaced (never mutated) on the collector thread after each change. */
    private volatile NodeClient[] members = new NodeClient[0];

    private volatile long forgottenNodes;
    /** Written on the collector thread only. */
    private volatile long refusedMembers;
    /** Whether the refusal was logged; collector thread. */
    private boolean refusalLogged;

    private volatile boolean firstCollectionComplete;

    /** A node known to the collector. Collector-thread state except {@code client}, which is final. */
    private static final class Entry {
        final NodeClient client;
        CanaryNode canary;
        boolean seed;
        boolean firstAttempt;
        long lastSeenNanos;

        Entry(NodeClient client, boolean seed, long now) {
            this.client = client;
            this.seed = seed;
            this.lastSeenNanos = now;
        }
    }

    /**
     * @param config the collector configuration
     * @param group the event-loop group reserved for Nun-db traffic, or {@code null} to create one
     * @param time the clocks
     * @param timingConfig the accumulators each node gets for its poll timings
     */
    public ClusterCollector(
            ClientConfig config, EventLoopGroup group, TimeSource time, RequestTimingConfig timingConfig) {
        this(config, group, time, timingConfig, null);
    }

    /**
     * As {@link #ClusterCollector(ClientConfig, EventLoopGroup, TimeSource, RequestTimingConfig)}, with the
     * replication canary when {@code canaryConfig} is not {@code null}.
     */
    public ClusterCollector(
            ClientConfig config,
            EventLoopGroup group,
            TimeSource time,
            RequestTimingConfig timingConfig,
            CanaryConfig canaryConfig) {
        this.canaryConfig = canaryConfig;
        this.canary = canaryConfig == null ? null : new CanaryCoordinator(canaryConfig, new CanaryCounters(), time);
        this.config = config;
        this.time = time;
        this.transport = Transport.best();
        this.ownsGroup = group == null;
        this.group = group != null
                ? group
                : transport.newGroup(
                        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), "nundb-client");
        this.timingConfig = timingConfig;
        this.password = new Secret("Nun-db password", config.password());
        this.canaryToken = canaryConfig == null ? null : new Secret("canary token", canaryConfig.token());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nundb-collector");
            t.setDaemon(true);
            return t;
        });
        this.sentinel = canary == null
                ? null
                : new SentinelCoordinator(canary.counters(), task -> {
                    try {
                        executor.execute(guarded(task));
                    } catch (RejectedExecutionException closing) {
                        // The collector is closing: the round is over.
                    }
                });
    }

    /** Dials the seeds and starts polling. */
    public void start() {
        executor.execute(() -> {
            if (started) {
                return;
            }
            started = true;
            long now = time.nanoTime();
            for (String seed : config.seeds()) {
                if (!nodes.containsKey(seed)) {
                    add(seed, NodeAddress.parse(seed), true, now);
                }
            }
            long interval = config.pollInterval().toNanos();
            executor.scheduleAtFixedRate(guarded(this::publish), interval, interval, TimeUnit.NANOSECONDS);
            if (canary != null) {
                long every = canaryConfig.interval().toNanos();
                executor.scheduleAtFixedRate(guarded(this::canaryTick), every, every, TimeUnit.NANOSECONDS);
                long sentinelEvery = canaryConfig.sentinelInterval().toNanos();
                executor.scheduleAtFixedRate(
                        guarded(this::sentinelTick), sentinelEvery, sentinelEvery, TimeUnit.NANOSECONDS);
            }
            publish();
        });
    }

    /**
     * The cluster as of now: every known node's latest published snapshot, sorted by name. Assembled on
     * each call from volatile reads (no lock, no wait on any node), so a value is at most one poll
     * interval old when read. Safe from any thread.
     */
    @Override
    public ClusterSnapshot snapshot() {
        NodeClient[] clients = members;
        List<NodeSnapshot> snapshots = new ArrayList<>(clients.length);
        for (NodeClient c : clients) {
            snapshots.add(c.snapshot());
        }
        snapshots.sort(BY_NAME);
        return new ClusterSnapshot(
                time.currentTimeMillis(),
                snapshots,
                config.expectedMembers(),
                forgottenNodes,
                canary == null ? null : canary.counters().totals(),
                refusedMembers);
    }

    private static final Comparator<NodeSnapshot> BY_NAME = Comparator.comparing(NodeSnapshot::name);

    /** Publishes the current membership to {@link #snapshot()}; collector thread only. */
    private void refreshMembers() {
        NodeClient[] clients = new NodeClient[nodes.size()];
        int i = 0;
        for (Entry e : nodes.values()) {
            clients[i++] = e.client;
        }
        members = clients;
    }

    /** Whether the first collection attempt of every seed has completed, successfully or not. */
    @Override
    public boolean firstCollectionComplete() {
        return firstCollectionComplete;
    }

    /**
     * The first throwable that escaped a node or collector task (that task no longer runs), or
     * {@code null}; any thread. The health endpoint reports the collector unhealthy while it is set.
     */
    public Throwable failure() {
        return failures.first();
    }

    @Override
    public boolean collectorFailed() {
        return failure() != null;
    }

    private NodeClient add(String name, NodeAddress dial, boolean seed, long now) {
        EventLoop loop = group.next();
        NodeConnection.Dialer dialer = ReplyDecoding.tcp(loop, transport, config);
        SingleWriterRequestTimings timings = new SingleWriterRequestTimings(timingConfig, loop, time::nanoTime);
        NodeClient client =
                new NodeClient(name, dial, seed, config, password, loop, dialer, time, listener, timings, failures);
        client.memberStarts(memberStarts);
        Entry entry = new Entry(client, seed, now);
        nodes.put(name, entry);
        if (canary != null && dial != null) {
            entry.canary = new CanaryNode(
                    name,
                    dial,
                    config,
                    password,
                    canaryConfig,
                    canaryToken,
                    timingConfig,
                    loop,
                    dialer,
                    time,
                    canary.counters(),
                    failures,
                    seq -> {
                        try {
                            executor.execute(guarded(() -> canary.writeFailed(seq)));
                        } catch (RejectedExecutionException closing) {
                            // The collector is closing: nothing left to discard.
                        }
                    });
            client.canarySource(entry.canary::snapshot);
            entry.canary.start();
        }
        refreshMembers();
        client.start();
        return client;
    }

    /** One canary interval on the collector thread. */
    private void canaryTick() {
        Map<String, CanaryNode> canaries = new HashMap<>();
        canary.tick(nodeSnapshots(canaries), canaries);
    }

    /** One sentinel round on the collector thread. */
    private void sentinelTick() {
        Map<String, CanaryNode> canaries = new HashMap<>();
        sentinel.tick(nodeSnapshots(canaries), canaries);
    }

    /** Every node's latest snapshot by name, and into {@code canaries} the canary of each node that has one. */
    private Map<String, NodeSnapshot> nodeSnapshots(Map<String, CanaryNode> canaries) {
        Map<String, NodeSnapshot> snapshots = new HashMap<>();
        for (Map.Entry<String, Entry> me : nodes.entrySet()) {
            snapshots.put(me.getKey(), me.getValue().client.snapshot());
            if (me.getValue().canary != null) {
                canaries.put(me.getKey(), me.getValue().canary);
            }
        }
        return snapshots;
    }

    private static void stop(Entry e) {
        e.client.stop();
        if (e.canary != null) {
            e.canary.stop();
        }
    }

    private final NodeListener listener = new NodeListener() {
        @Override
        public void onView(NodeClient node, ClusterView view) {
            executor.execute(guarded(() -> handleView(node, view)));
        }

        @Override
        public void onFirstAttempt(NodeClient node) {
            executor.execute(guarded(() -> {
                for (Entry e : nodes.values()) {
                    if (e.client == node) {
                        e.firstAttempt = true;
                    }
                }
                updateReadiness();
            }));
        }
    };

    /**
     * Runs {@code task} so that a bug in it (a {@link RuntimeException}) is logged instead of silently
     * cancelling a periodic task (a {@link ScheduledExecutorService} drops a task that throws). An
     * {@link Error} is not swallowed: it is recorded for {@link #failure()} and rethrown.
     */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "collector task failed", e);
            } catch (Error e) {
                failures.record("collector", e);
                throw e;
            }
        };
    }

    private void handleView(NodeClient reporter, ClusterView view) {
        long now = time.nanoTime();
        String key = keyOf(reporter);
        if (key == null) {
            return; // Already merged away.
        }
        ViewMember self = view.self();
        if (self != null && !self.name().equals(key)) {
            key = merge(key, self.name());
            if (key == null) {
                return;
            }
        }
        for (ViewMember m : view.members()) {
            Entry e = nodes.get(m.name());
            if (e != null) {
                e.lastSeenNanos = now;
                continue;
            }
            String by = key;
            if (nodes.size() >= config.maxMembers()) {
                refuse(by);
                continue;
            }
            String mapped = config.addressMap().get(m.name());
            NodeAddress dial = NodeAddress.parse(mapped != null ? mapped : m.name());
            LogField.log(LOG, Level.INFO, "discovered a member in the view of a node", NODE, by, MEMBER, m.name());
            add(m.name(), dial, false, now);
        }
    }

    /**
     * Counts a member not added because {@link ClientConfig#maxMembers()} nodes are known; logs the first
     * one only (a view lists the same members at every poll). Collector thread only.
     */
    private void refuse(String by) {
        refusedMembers++;
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.severe(() -> "the view of " + by + " lists more members than --nundb.max-members ("
                    + config.maxMembers() + "); the members past it are not polled and"
                    + " counted in nundb_exporter_members_refused_total (logged once)");
        }
    }

    private String keyOf(NodeClient client) {
        for (Map.Entry<String, Entry> e : nodes.entrySet()) {
            if (e.getValue().client == client) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * A node dialled as {@code oldKey} calls itself {@code selfName}. If another client already holds that
     * name and is up, the existing one is kept (and inherits the seed flag) and this one is closed. If the
     * existing one is not up (typically a name learned from another view that cannot be dialled), this
     * one, whose connection just delivered a view, replaces it: a seed or a working connection never
     * loses to an undialable discovered name. Otherwise this one is renamed.
     */
    private String merge(String oldKey, String selfName) {
        Entry mine = nodes.remove(oldKey);
        Entry existing = nodes.get(selfName);
        if (existing != null && !existing.client.snapshot().up()) {
            LOG.info(() -> "node " + oldKey + " reports itself as " + selfName
                    + ", which is known but not up; polling it through " + oldKey);
            mine.seed |= existing.seed;
            mine.firstAttempt |= existing.firstAttempt;
            mine.lastSeenNanos = Math.max(mine.lastSeenNanos, existing.lastSeenNanos);
            stop(existing);
            nodes.put(selfName, mine);
            mine.client.rename(selfName, mine.seed);
            refreshMembers();
            return selfName;
        }
        if (existing != null) {
            existing.seed |= mine.seed;
            existing.firstAttempt |= mine.firstAttempt;
            existing.client.rename(selfName, mine.seed);
            stop(mine);
            refreshMembers();
            return selfName;
        }
        nodes.put(selfName, mine);
        mine.client.rename(selfName, mine.seed);
        if (mine.canary != null) {
            mine.canary.renameSentinel(selfName);
        }
        return selfName;
    }

    /**
     * Hands every node the members' process starts (known ones only) when they changed, as an immutable
     * value: a primary classifies its pending entries by them. Collector thread only.
     */
    private void shareMemberStarts() {
        Map<String, Long> starts = new HashMap<>();
        for (Entry e : nodes.values()) {
            NodeSnapshot s = e.client.snapshot();
            if (s.processStartEpochMillis() >= 0) {
                starts.put(s.name(), s.processStartEpochMillis());
            }
        }
        if (starts.equals(memberStarts)) {
            return;
        }
        memberStarts = Map.copyOf(starts);
        for (Entry e : nodes.values()) {
            e.client.memberStarts(memberStarts);
        }
    }

    private void updateReadiness() {
        if (firstCollectionComplete) {
            return;
        }
        for (Entry e : nodes.values()) {
            if (e.seed && !e.firstAttempt) {
                return;
            }
        }
        firstCollectionComplete = true;
    }

    /**
     * Forgets nodes past their retention, re-reads the credentials and shares the members' process
     * starts; collector thread only.
     */
    private void publish() {
        long start = time.nanoTime();
        password.refresh();
        if (canaryToken != null) {
            canaryToken.refresh();
        }
        long retention = config.memberRetention().toNanos();
        List<String> forget = new ArrayList<>();
        for (Map.Entry<String, Entry> me : nodes.entrySet()) {
            Entry e = me.getValue();
            if (e.client.snapshot().up()) {
                e.lastSeenNanos = start;
            } else if (!e.seed && start - e.lastSeenNanos > retention) {
                forget.add(me.getKey());
            }
        }
        for (String name : forget) {
            Entry e = nodes.remove(name);
            stop(e);
            forgottenNodes++;
            LogField.log(
                    LOG,
                    Level.INFO,
                    "forgot node: not up and not listed by any view for " + config.memberRetention(),
                    NODE,
                    name);
        }
        if (!forget.isEmpty()) {
            refreshMembers();
        }
        if (canary != null) {
            Map<String, NodeSnapshot> byName = new HashMap<>();
            for (NodeSnapshot s : snapshot().nodes()) {
                byName.put(s.name(), s);
            }
            canary.checkFailover(byName);
        }
        shareMemberStarts();
        updateReadiness();
    }

    @Override
    public void close() {
        executor.execute(() -> {
            for (Entry e : nodes.values()) {
                stop(e);
            }
        });
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
