package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One op = parsing one reply payload, already framed into lines (as {@link NunDbReplyDecoder} hands
 * them over), from heap {@link ByteBuf}s:
 *
 * <ul>
 *   <li>{@link #metricsState}: one {@code metrics-state} line into a {@link MetricsState}, the call
 *       the node client makes once per poll (floats as a busy primary prints them);
 *   <li>{@link #clusterState}: one {@code cluster-state} line of {@code members} entries into a
 *       {@link ClusterView};
 *   <li>{@link #pendingOps}: a {@code debug pending-ops} reply of {@code entries} lines (3 members,
 *       one killed and never acking) streamed into the per-member aggregate;
 *   <li>{@link #processInfo}, {@link #listDbs}: the two-line and four-line debug replies;
 *   <li>{@link #baseline}: reading the line's length only.
 * </ul>
 *
 * <p>Thread-safety: {@code Scope.Thread}; the benchmark thread plays the node's event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class ReplyParseBenchmark {
    /** A {@code cluster-state} view of {@code members} entries. */
    @State(Scope.Thread)
    public static class View {
        @Param({"3", "100"})
        int members;

        ByteBuf line;

        @Setup(Level.Trial)
        public void setUp() {
            StringBuilder cs = new StringBuilder("cluster-state ");
            for (int i = 0; i < members; i++) {
                cs.append(' ')
                        .append("nundb-")
                        .append(i)
                        .append(".nundb.db.svc.cluster.local:3014")
                        .append(i == 0 ? "(self):Primary " : "(Connected):Secoundary")
                        .append(',');
            }
            line = line(cs.toString());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            line.release();
        }
    }

    /** A {@code debug pending-ops} reply of {@code entries} lines. */
    @State(Scope.Thread)
    public static class Pending {
        @Param({"10", "10000"})
        int entries;

        ByteBuf[] lines;

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom random = new SplittableRandom(7);
            lines = new ByteBuf[entries];
            long op = 1795568958711102285L;
            for (int i = 0; i < entries; i++) {
                op += random.nextInt(1_000_000);
                String entry = "message: \"replicate demo key-" + i + " -1 value with spaces " + i + "\", opp_id: "
                        + op + ", ack_count: 1, replicate_count: 2, replications: , nundb-1.nundb:3014:true,"
                        + " nundb-2.nundb:3014:false";
                lines[i] = line(i == 0 ? "pending-ops " + entry : entry);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (ByteBuf b : lines) {
                b.release();
            }
        }
    }

    ByteBuf metricsLine;
    ByteBuf[] processInfoLines;
    ByteBuf[] listDbsLines;
    PendingOpsAggregator aggregator;
    ProcessInfoParser processInfoParser;
    ListDbsParser listDbsParser;
    PendingOpsAggregator.MemberClassifier classifier;

    @Setup(Level.Trial)
    public void setUp() {
        metricsLine = line("metrics-state pending_ops: 3, op_log_file_size: 3100, op_log_count: 124,"
                + "replication_time_moving_avg: 2.419368907874114, get_query_time_moving_avg: 5.723407763652384e-6");
        processInfoLines = new ByteBuf[] {line("process-info "), line("process_id: 1795568803056")};
        listDbsLines =
                new ByteBuf[] {line("dbs-list "), line("demo : none"), line("$admin : newer"), line("newerdb : newer")};
        aggregator = new PendingOpsAggregator();
        processInfoParser = new ProcessInfoParser();
        listDbsParser = new ListDbsParser();
        classifier = new PendingOpsAggregator.MemberClassifier() {
            @Override
            public long processStartNanos(String member) {
                // nundb-2 restarted after these entries: they are orphaned.
                return member.startsWith("nundb-2") ? Long.MAX_VALUE : 1795568803056L * 1_000_000L;
            }

            @Override
            public boolean inView(String member) {
                return true;
            }
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        metricsLine.release();
        for (ByteBuf b : processInfoLines) {
            b.release();
        }
        for (ByteBuf b : listDbsLines) {
            b.release();
        }
    }

    static ByteBuf line(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public MetricsState metricsState() throws ReplyParseException {
        return MetricsStateParser.parse(metricsLine);
    }

    @Benchmark
    public ClusterView clusterState(View view) throws ReplyParseException {
        return ClusterStateParser.parse(view.line);
    }

    @Benchmark
    public PendingOpsSnapshot pendingOps(Pending pending) throws ReplyParseException {
        aggregator.begin(classifier);
        for (ByteBuf b : pending.lines) {
            aggregator.accept(b);
        }
        return aggregator.finish(0);
    }

    @Benchmark
    public long processInfo() throws ReplyParseException {
        processInfoParser.begin();
        for (ByteBuf b : processInfoLines) {
            processInfoParser.accept(b);
        }
        return processInfoParser.finish();
    }

    @Benchmark
    public int listDbs() throws ReplyParseException {
        listDbsParser.begin();
        for (ByteBuf b : listDbsLines) {
            listDbsParser.accept(b);
        }
        return listDbsParser.finish();
    }

    @Benchmark
    public int baseline() {
        return metricsLine.readableBytes();
    }
}
