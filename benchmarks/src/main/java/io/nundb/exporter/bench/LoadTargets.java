package io.nundb.exporter.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.nundb.exporter.exposition.ClusterMetricFamilies;
import io.nundb.exporter.exposition.SyntheticClusterSnapshots;
import io.nundb.exporter.http.ExporterHttpServer;
import io.nundb.exporter.http.MetricsPublisher;
import io.nundb.exporter.http.ScrapeEndpointConfig;
import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.ClusterSnapshotSource;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.zip.GZIPOutputStream;

/**
 * The servers of the load benchmark ({@code benchmarks/load.sh}), one per process, all on 127.0.0.1,
 * serving the same metric families from one {@link ClusterSnapshotSource}:
 *
 * <ul>
 *   <li>{@code exporter}: our {@link MetricsPublisher} and {@link ExporterHttpServer} (1 event loop, as
 *       {@code ExporterApp} runs it), rendering every second (the default), no JVM collectors;
 *   <li>{@code exporter-static}: the same, rendering each format once when first asked and then only
 *       hourly: the serving path alone, without the render ticks competing for the cores;
 *   <li>{@code peer}, {@code peer-nodelay}: client_java 1.10.0's {@link HTTPServer} (JDK HTTP server)
 *       with a collector returning the families of the source's current snapshot (built once per
 *       snapshot, so the peer pays only its writer and gzip per scrape, its best case); {@code
 *       peer-nodelay} sets {@code sun.net.httpserver.nodelay=true} before the JDK server loads;
 *   <li>{@code ceiling}: a minimal Netty server (same transport, 1 event loop) answering every request
 *       with a {@code retainedDuplicate()} of pre-built bytes: text, or OpenMetrics when the
 *       {@code Accept} header asks for it, gzip-compressed when {@code Accept-Encoding} has gzip.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar io.nundb.exporter.bench.LoadTargets exporter|exporter-static|peer|peer-nodelay|ceiling
 *     [--nodes N] [--port P] [--port-file FILE] [--source synthetic|live]
 * </pre>
 *
 * Prints {@code READY mode=.. port=.. uptime_ms=..} on stdout once it serves, writes the port to
 * {@code --port-file} if given, and runs until killed. The source is pluggable by {@link #source}: only
 * {@code synthetic} exists here; a live simulated cluster is wired in by adding a case there.
 *
 * <p>Thread-safety: {@code main} runs on the main thread; each server owns its threads as documented.
 */
public final class LoadTargets {
    private LoadTargets() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage("mode missing");
        }
        String mode = args[0];
        int nodes = 3;
        int port = 0;
        Path portFile = null;
        String sourceKind = "synthetic";
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("value missing after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--nodes":
                    nodes = Integer.parseInt(v);
                    break;
                case "--port":
                    port = Integer.parseInt(v);
                    break;
                case "--port-file":
                    portFile = Path.of(v);
                    break;
                case "--source":
                    sourceKind = v;
                    break;
                default:
                    usage("unknown option " + a);
            }
        }
        if (mode.equals("peer-nodelay")) {
            // Read once by the JDK's ServerConfig when the HTTP server classes load; nothing loaded them yet.
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        ClusterSnapshotSource source = source(sourceKind, nodes);
        int bound;
        switch (mode) {
            case "exporter":
                bound = startExporter(source, port, Duration.ofSeconds(1));
                break;
            case "exporter-static":
                bound = startExporter(source, port, Duration.ofHours(1));
                break;
            case "peer":
            case "peer-nodelay":
                bound = startPeer(source, port);
                break;
            case "ceiling":
                bound = startCeiling(source, port);
                break;
            default:
                usage("unknown mode " + mode);
                return;
        }
        if (portFile != null) {
            Files.writeString(portFile, Integer.toString(bound), StandardCharsets.US_ASCII);
        }
        System.out.printf(
                Locale.ROOT,
                "READY mode=%s nodes=%d port=%d uptime_ms=%d%n",
                mode,
                nodes,
                bound,
                ManagementFactory.getRuntimeMXBean().getUptime());
        System.out.flush();
        new CountDownLatch(1).await(); // serve until the process is killed
    }

    /**
     * The snapshot source of kind {@code kind}: {@code synthetic} snapshots, or {@code live}: the real
     * collector polling the simulated cluster whose {@code --nundb.address} and
     * {@code --nundb.address-map} lines are in the file named by {@code LOAD_SIM_ARGS} (password in
     * {@code NUN_PWD}), returned once every node is up.
     */
    static ClusterSnapshotSource source(String kind, int nodes) throws IOException, InterruptedException {
        if (kind.equals("synthetic")) {
            return new SyntheticSnapshotSource(nodes);
        }
        if (kind.equals("live")) {
            return liveSource(nodes);
        }
        throw new IllegalArgumentException("unknown source " + kind + " (known: synthetic, live)");
    }

    private static ClusterSnapshotSource liveSource(int nodes) throws IOException, InterruptedException {
        String argsFile = System.getenv("LOAD_SIM_ARGS");
        String password = System.getenv("NUN_PWD");
        if (argsFile == null || password == null) {
            throw new IllegalArgumentException("--source live needs LOAD_SIM_ARGS and NUN_PWD");
        }
        java.util.List<String> seeds = new java.util.ArrayList<>();
        java.util.Map<String, String> map = new java.util.HashMap<>();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(argsFile))) {
            if (line.startsWith("--nundb.address=")) {
                seeds.add(line.substring("--nundb.address=".length()));
            } else if (line.startsWith("--nundb.address-map=")) {
                String kv = line.substring("--nundb.address-map=".length());
                int eq = kv.lastIndexOf('=');
                map.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        io.nundb.exporter.client.ClusterCollector collector = new io.nundb.exporter.client.ClusterCollector(
                io.nundb.exporter.client.ClientConfig.builder()
                        .seeds(seeds)
                        .addressMap(map)
                        .user("nun")
                        .password(() -> password)
                        .build(),
                null,
                io.nundb.exporter.client.TimeSource.SYSTEM,
                io.nundb.exporter.timing.RequestTimingConfig.defaults());
        collector.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (collector.snapshot().membersUp() < nodes) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + collector.snapshot().membersUp() + " of " + nodes + " up");
            }
            Thread.sleep(50);
        }
        return collector;
    }

    private static int startExporter(ClusterSnapshotSource source, int port, Duration renderInterval)
            throws InterruptedException {
        ScrapeEndpointConfig config = ScrapeEndpointConfig.of(
                "127.0.0.1", port, "/metrics", renderInterval, renderInterval, "0.1.0", "0123abcd", false, null);
        MetricsPublisher publisher = new MetricsPublisher(config, source, new PrometheusRegistry(), System::nanoTime);
        publisher.start();
        return ExporterHttpServer.start(publisher, 1).port();
    }

    private static int startPeer(ClusterSnapshotSource source, int port) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new SnapshotCollector(source));
        HTTPServer server = HTTPServer.builder()
                .hostname("127.0.0.1")
                .port(port)
                .registry(registry)
                .buildAndStart();
        return server.getPort();
    }

    private static int startCeiling(ClusterSnapshotSource source, int port) throws Exception {
        MetricSnapshots families = families(source.snapshot());
        ExpositionFormats formats = ExpositionFormats.init();
        ExpositionFormatWriter textWriter = formats.getPrometheusTextFormatWriter();
        ExpositionFormatWriter omWriter = formats.getOpenMetricsTextFormatWriter();
        byte[] text = write(textWriter, families);
        byte[] om = write(omWriter, families);
        CeilingHandler handler = new CeilingHandler(
                new Body(text, textWriter.getContentType()), new Body(om, omWriter.getContentType()));
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("ceiling-http", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(), handler);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync()
                .channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    static MetricSnapshots families(ClusterSnapshot cluster) {
        return ClusterMetricFamilies.build(cluster, SyntheticClusterSnapshots.exporter());
    }

    private static byte[] write(ExpositionFormatWriter writer, MetricSnapshots families) throws IOException {
        ByteBuf buf = Unpooled.buffer(1 << 16);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            writer.write(out, families);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static void usage(String problem) {
        System.err.println("LoadTargets: " + problem);
        System.err.println(
                "usage: LoadTargets exporter|exporter-static|peer|peer-nodelay|ceiling [--nodes N] [--port P]"
                        + " [--port-file FILE] [--source synthetic|live]");
        System.exit(2);
    }

    /**
     * The peer's collector: the families of the source's current snapshot, rebuilt only when the source
     * publishes a new one. Thread-safety: the JDK server calls it from its pool; the cache is one
     * volatile reference to an immutable pair.
     */
    private static final class SnapshotCollector implements MultiCollector {
        private final ClusterSnapshotSource source;
        private volatile Cached cached;

        SnapshotCollector(ClusterSnapshotSource source) {
            this.source = source;
        }

        @Override
        public MetricSnapshots collect() {
            ClusterSnapshot now = source.snapshot();
            Cached c = cached;
            if (c == null || c.cluster != now) {
                c = new Cached(now, families(now));
                cached = c;
            }
            return c.families;
        }
    }

    /** Families built from one snapshot. Thread-safety: immutable. */
    private record Cached(ClusterSnapshot cluster, MetricSnapshots families) {}

    /**
     * One pre-built body, identity and gzip, in unreleasable direct buffers served by duplicate.
     * Thread-safety: immutable after construction.
     */
    private static final class Body {
        final ByteBuf identity;
        final ByteBuf gzip;
        final String contentType;

        Body(byte[] bytes, String contentType) {
            this.identity = Unpooled.unreleasableBuffer(
                    Unpooled.directBuffer(bytes.length).writeBytes(bytes).asReadOnly());
            this.gzip = Unpooled.unreleasableBuffer(gzip(bytes).asReadOnly());
            this.contentType = contentType;
        }

        private static ByteBuf gzip(byte[] bytes) {
            ByteBuf buf = Unpooled.directBuffer(bytes.length / 4 + 64);
            try (GZIPOutputStream out = new GZIPOutputStream(new ByteBufOutputStream(buf), 8192)) {
                out.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buf;
        }
    }

    /**
     * The ceiling's only handler: every request gets the pre-built body its headers ask for.
     * Thread-safety: stateless apart from immutable bodies; shared by all channels.
     */
    @Sharable
    private static final class CeilingHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Body text;
        private final Body openMetrics;

        CeilingHandler(Body text, Body openMetrics) {
            this.text = text;
            this.openMetrics = openMetrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest)) {
                return;
            }
            HttpRequest req = (HttpRequest) msg;
            String accept = req.headers().get(HttpHeaderNames.ACCEPT);
            String encoding = req.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
            Body body = accept != null && accept.contains("application/openmetrics-text") ? openMetrics : text;
            boolean gz = encoding != null && encoding.contains("gzip");
            ByteBuf content = (gz ? body.gzip : body.identity).duplicate();
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, body.contentType);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            if (gz) {
                r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
            }
            ctx.writeAndFlush(r);
        }
    }
}
