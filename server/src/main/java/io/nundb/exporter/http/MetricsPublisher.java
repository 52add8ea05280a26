package io.nundb.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.PlatformDependent;
import io.nundb.exporter.exposition.ClusterMetricFamilies;
import io.nundb.exporter.exposition.ExporterSnapshot;
import io.nundb.exporter.exposition.ExpositionFormat;
import io.nundb.exporter.exposition.ExpositionRenderer;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.nundb.exporter.model.NodeSnapshot;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Renders the exposition on one publisher thread and caches one {@link RenderedBody} per format, so
 * event loops serve scrapes with a {@code retainedDuplicate()} and never render.
 *
 * <p>Schedule: a render every {@link ScrapeEndpointConfig#renderInterval()} (the poll interval, but
 * never more often than {@code --render.min-interval}), even when nothing changed, so {@code up} and
 * ages are recomputed. Each render writes the text format, plus every other format requested within
 * the last {@link #ACTIVE_FORMAT_WINDOW_NANOS 2 minutes} (so a Prometheus that negotiates protobuf
 * or OpenMetrics at any usual scrape interval always finds a pre-rendered body), and gzip-compresses
 * each body once. A scrape of a format with no body yet, or with a body older than 3 render intervals
 * (the publisher is late), asks for one single-flight render and is answered when it completes.
 * {@code name[]}-filtered scrapes bypass the cache: they are rendered on the publisher thread from the
 * families of the last render and are not counted in {@code nundb_exporter_renders_total}.
 *
 * <p>Buffers: each body is written by the {@link ExpositionRenderer} (client_java's writer into a
 * pooled direct buffer sized from the previous render of the same format, gzip at
 * {@link ExpositionRenderer#GZIP_LEVEL} into a second one). Rendering allocates (client_java builds its
 * snapshot objects); serving does not copy.
 *
 * <p>The publisher thread also runs what the event loops {@link #offload}: pages that build a cluster
 * snapshot ({@code /}, {@code /discovery}, {@code /probe}).
 *
 * <p>Thread-safety: every mutable field except the published ones is confined to the publisher thread.
 * The cache, the request times, the last tick and the waiter queue are the hand-off to the event loops
 * and are atomics or volatile. {@link #current}, {@link #requestRender}, {@link #renderFiltered},
 * {@link #renderTarget}, {@link #offload}, {@link #healthy} and {@link #ready} may be called from any
 * thread.
 */
public final class MetricsPublisher implements AutoCloseable {
    static final long ACTIVE_FORMAT_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(2);
    private static final Logger LOG = Logger.getLogger(MetricsPublisher.class.getName());
    private static final ExpositionFormat[] FORMATS = ExpositionFormat.values();

    private final ScrapeEndpointConfig config;
    private final ClusterSnapshotSource source;
    private final ExpositionRenderer renderer = ExpositionRenderer.pooled();
    private final PrometheusRegistry processRegistry;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService executor;
    private final long intervalNanos;
    private final long startNanos;

    private final AtomicReferenceArray<RenderedBody> cache = new AtomicReferenceArray<>(FORMATS.length);
    private final AtomicLongArray requestedAtNanos = new AtomicLongArray(FORMATS.length);
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean onDemandPending = new AtomicBoolean();
    private volatile long lastTickNanos;
    private volatile boolean ticked;

    // Publisher thread only.
    private final long[] renders = new long[ExporterSnapshot.RENDER_SLOTS];
    private final int[] lastIdentitySize = new int[FORMATS.length];
    private final int[] lastGzipSize = new int[FORMATS.length];
    private MetricSnapshots lastFamilies;
    private boolean failing;

    /**
     * @param processRegistry registry of the JVM and process collectors, scraped into every render
     * @param nanoClock monotonic clock, {@link System#nanoTime()} outside tests
     */
    public MetricsPublisher(
            ScrapeEndpointConfig config,
            ClusterSnapshotSource source,
            PrometheusRegistry processRegistry,
            LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config, "config");
        this.source = Objects.requireNonNull(source, "source");
        this.processRegistry = Objects.requireNonNull(processRegistry, "processRegistry");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.intervalNanos = config.renderInterval().toNanos();
        this.startNanos = nanoClock.getAsLong();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nundb-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Renders once now and then every render interval. */
    public void start() {
        executor.scheduleAtFixedRate(this::scheduledRender, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The writer for an {@code Accept} header ({@link ContentNegotiation}), falling back to text when it is
     * not available, or {@code null} when the header refuses every format ({@code q=0}).
     */
    public ExpositionFormatWriter writerFor(String accept) {
        ExpositionFormatWriter w = renderer.writerFor(accept);
        ExpositionFormat preferred = ExpositionFormat.of(w);
        ExpositionFormat f = ContentNegotiation.format(accept, preferred);
        return f == preferred ? w : f == null ? null : renderer.writer(f);
    }

    /**
     * The cached body of {@code format} if there is one not older than 3 render intervals, else
     * {@code null} (then call {@link #requestRender}). Marks the format as requested. No allocation.
     */
    public RenderedBody current(ExpositionFormat format) {
        long now = nanoClock.getAsLong();
        requestedAtNanos.set(format.ordinal(), now);
        RenderedBody body = cache.get(format.ordinal());
        if (body == null || now - body.renderedAtNanos() > 3 * intervalNanos) {
            return null;
        }
        return body;
    }

    /** Asks for one single-flight render; {@code promise} gets the new body of {@code format}. */
    public void requestRender(ExpositionFormat format, Promise<RenderedBody> promise) {
        requestedAtNanos.set(format.ordinal(), nanoClock.getAsLong());
        waiters.add(new Waiter(format, promise));
        if (onDemandPending.compareAndSet(false, true)) {
            try {
                executor.execute(this::onDemandRender);
            } catch (RuntimeException e) { // rejected: shutting down
                onDemandPending.set(false);
                failWaiters(e);
            }
        }
    }

    /**
     * Renders the families of the last render whose names pass {@code names} with {@code writer}, gzip
     * compressed if asked, outside the cache. {@code promise} gets a buffer the receiver must release.
     */
    public void renderFiltered(
            ExpositionFormatWriter writer, Predicate<String> names, boolean gzip, Promise<ByteBuf> promise) {
        try {
            executor.execute(() -> {
                try {
                    MetricSnapshots families = lastFamilies != null ? lastFamilies : families();
                    MetricSnapshots.Builder filtered = MetricSnapshots.builder();
                    for (MetricSnapshot s : families) {
                        if (matches(s, names)) {
                            filtered.metricSnapshot(s);
                        }
                    }
                    ByteBuf out = renderOffCache(writer, filtered.build(), gzip);
                    if (!promise.trySuccess(out)) {
                        out.release();
                    }
                } catch (Throwable e) {
                    promise.tryFailure(e);
                }
            });
        } catch (RuntimeException e) {
            promise.tryFailure(e);
        }
    }

    /**
     * Renders the series of one node of {@code cluster} ({@code /probe?target=}): the families whose every
     * series carries this {@code node} label, nothing cluster-wide, nothing of the exporter or the JVM.
     * Outside the cache, on the calling thread (call it off the event loops: {@link #offload}); never
     * dials anything.
     *
     * @return a body the caller releases, or {@code null} if {@code cluster} does not know {@code node}
     */
    public ByteBuf renderTarget(ExpositionFormatWriter writer, ClusterSnapshot cluster, String node, boolean gzip)
            throws IOException {
        NodeSnapshot target = cluster.node(node);
        if (target == null) {
            return null;
        }
        ClusterSnapshot one =
                new ClusterSnapshot(cluster.takenAtEpochMillis(), List.of(target), 0, cluster.forgottenNodes());
        ExporterSnapshot exporter = new ExporterSnapshot(
                config.version(), config.revision(), config.demo(), new long[ExporterSnapshot.RENDER_SLOTS], -1, null);
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (MetricSnapshot s : ClusterMetricFamilies.build(one, exporter)) {
            if (onlyNodeSeries(s, node)) {
                out.metricSnapshot(s);
            }
        }
        return renderOffCache(writer, out.build(), gzip);
    }

    /** Whether a family has series and every one of them has {@code node="<node>"}. */
    static boolean onlyNodeSeries(MetricSnapshot s, String node) {
        if (s.getDataPoints().isEmpty()) {
            return false;
        }
        for (DataPointSnapshot p : s.getDataPoints()) {
            if (!node.equals(p.getLabels().get("node"))) {
                return false;
            }
        }
        return true;
    }

    private ByteBuf renderOffCache(ExpositionFormatWriter writer, MetricSnapshots families, boolean gzip)
            throws IOException {
        ByteBuf identity = renderer.write(writer, families, 0);
        if (!gzip) {
            return identity;
        }
        try {
            return renderer.gzip(identity, 0);
        } finally {
            identity.release();
        }
    }

    /**
     * Runs {@code task} on the publisher thread, after the renders and tasks queued before it: the
     * event loops hand it the work that builds a cluster snapshot or renders a page.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the publisher is closed
     */
    public void offload(Runnable task) {
        executor.execute(task);
    }

    /** The publisher has completed a render within the last 5 render intervals and no collector task failed. */
    public boolean healthy() {
        return ticked && nanoClock.getAsLong() - lastTickNanos <= 5 * intervalNanos && !source.collectorFailed();
    }

    /** The source completed its first collection, or 2 poll intervals passed since start. */
    public boolean ready() {
        return source.firstCollectionComplete()
                || nanoClock.getAsLong() - startNanos
                        >= 2 * config.pollInterval().toNanos();
    }

    public ClusterSnapshotSource source() {
        return source;
    }

    public ScrapeEndpointConfig config() {
        return config;
    }

    /** Stops rendering (waiting up to {@code timeoutMillis} for a render in progress) and frees the cache. */
    public void close(long timeoutMillis) {
        executor.shutdown();
        try {
            executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        for (int i = 0; i < FORMATS.length; i++) {
            RenderedBody old = cache.getAndSet(i, null);
            if (old != null) {
                old.release();
            }
        }
        failWaiters(new IllegalStateException("publisher closed"));
    }

    @Override
    public void close() {
        close(2000);
    }

    private void scheduledRender() {
        long now = nanoClock.getAsLong();
        boolean[] wanted = new boolean[FORMATS.length];
        wanted[ExpositionFormat.TEXT.ordinal()] = true;
        for (int i = 0; i < FORMATS.length; i++) {
            long at = requestedAtNanos.get(i);
            if (at != 0 && now - at <= ACTIVE_FORMAT_WINDOW_NANOS) {
                wanted[i] = true;
            }
        }
        renderGuarded(wanted);
    }

    private void onDemandRender() {
        onDemandPending.set(false);
        if (waiters.isEmpty()) {
            return;
        }
        boolean[] wanted = new boolean[FORMATS.length];
        for (Waiter w : waiters) {
            wanted[w.format.ordinal()] = true;
        }
        renderGuarded(wanted);
        // Only the waiters of the formats just rendered: one that arrived during the render for another
        // format has scheduled the next on-demand render, which answers it.
        for (java.util.Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (!wanted[w.format.ordinal()]) {
                continue;
            }
            it.remove();
            RenderedBody body = cache.get(w.format.ordinal());
            if (body == null) {
                w.promise.tryFailure(new IllegalStateException("render failed"));
            } else {
                w.promise.trySuccess(body);
            }
        }
    }

    private void renderGuarded(boolean[] wanted) {
        try {
            render(wanted);
            if (failing) {
                failing = false;
                LOG.info("rendering recovered");
            }
        } catch (Throwable e) {
            // Never let an exception cancel the schedule; healthy() turns 503 if this persists.
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "render failed: " + e);
            }
        }
    }

    private void render(boolean[] wanted) throws IOException {
        for (int i = 0; i < FORMATS.length; i++) {
            if (wanted[i]) {
                renders[ExporterSnapshot.renderIndex(FORMATS[i], false)]++;
                renders[ExporterSnapshot.renderIndex(FORMATS[i], true)]++;
            }
        }
        MetricSnapshots families = families();
        lastFamilies = families;
        for (int i = 0; i < FORMATS.length; i++) {
            if (!wanted[i]) {
                continue;
            }
            ExpositionFormatWriter writer = renderer.writer(FORMATS[i]);
            ByteBuf identity = renderer.write(writer, families, lastIdentitySize[i]);
            ByteBuf gz;
            try {
                gz = renderer.gzip(identity, lastGzipSize[i]);
            } catch (IOException | RuntimeException e) {
                identity.release();
                throw e;
            }
            lastIdentitySize[i] = identity.readableBytes();
            lastGzipSize[i] = gz.readableBytes();
            RenderedBody old =
                    cache.getAndSet(i, new RenderedBody(identity, gz, writer.getContentType(), nanoClock.getAsLong()));
            if (old != null) {
                old.release();
            }
        }
        lastTickNanos = nanoClock.getAsLong();
        ticked = true;
    }

    private MetricSnapshots families() {
        ClusterSnapshot cluster = source.snapshot();
        ExporterSnapshot exporter = new ExporterSnapshot(
                config.version(), config.revision(), config.demo(), renders, nettyDirectMemory(), config.compatNode());
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (MetricSnapshot s : ClusterMetricFamilies.build(cluster, exporter)) {
            all.metricSnapshot(s);
        }
        for (MetricSnapshot s : processRegistry.scrape()) {
            all.metricSnapshot(s);
        }
        return all.build();
    }

    /** Whether a family is selected by a name[] filter, by its name or any name it is exposed under. */
    static boolean matches(MetricSnapshot s, Predicate<String> names) {
        String name = s.getMetadata().getPrometheusName();
        if (names.test(name)) {
            return true;
        }
        if (s instanceof CounterSnapshot) {
            return names.test(name + "_total");
        }
        if (s instanceof HistogramSnapshot) {
            return names.test(name + "_bucket") || names.test(name + "_count") || names.test(name + "_sum");
        }
        return false;
    }

    /** Direct memory used by Netty: its own counter when it tracks one, else the pooled allocator's. */
    static long nettyDirectMemory() {
        long used = PlatformDependent.usedDirectMemory();
        if (used >= 0) {
            return used;
        }
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        if (alloc instanceof ByteBufAllocatorMetricProvider) {
            return ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory();
        }
        return -1;
    }

    private void failWaiters(Throwable cause) {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            w.promise.tryFailure(cause);
        }
    }

    private static final class Waiter {
        final ExpositionFormat format;
        final Promise<RenderedBody> promise;

        Waiter(ExpositionFormat format, Promise<RenderedBody> promise) {
            this.format = format;
            this.promise = promise;
        }
    }
}
