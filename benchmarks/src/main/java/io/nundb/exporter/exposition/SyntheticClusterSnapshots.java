package io.nundb.exporter.exposition;

import io.nundb.exporter.model.ClusterSnapshot;
import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.model.PollErrorReason;
import io.nundb.exporter.protocol.ClusterView;
import io.nundb.exporter.protocol.MemberStatus;
import io.nundb.exporter.protocol.MetricsState;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.protocol.PendingOpsSnapshot;
import io.nundb.exporter.protocol.Role;
import io.nundb.exporter.protocol.ViewMember;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic {@link ClusterSnapshot}s of a healthy cluster of any size, shaped like a live
 * poll: every node up, with {@code metrics-state} values, a full view (node 0 primary, the rest
 * secondaries), process start, database count, cumulative counters, timings of 3 commands with the
 * default 12 buckets (11 finite + {@code +Inf}), and on the primary {@code debug pending-ops} for every
 * other member. Values vary per node (seeded), so gzip sees realistic entropy.
 *
 * <p>Thread-safety: stateless; call from any thread. Each call allocates a new snapshot.
 */
public final class SyntheticClusterSnapshots {
    /** The commands that get timings: the three every poll sends first. */
    static final NunDbCommand[] TIMED = {
        NunDbCommand.METRICS_STATE, NunDbCommand.CLUSTER_STATE, NunDbCommand.DEBUG_PENDING_OPS
    };

    /** Fixed wall-clock base (2026-01-01T00:00:00Z), so renders are reproducible. */
    static final long NOW_MILLIS = 1_767_225_600_000L;

    private SyntheticClusterSnapshots() {}

    /** The name of node {@code i}, as a Nun-db view lists it ({@code host:port}). */
    public static String nodeName(int i) {
        return "nundb-" + i + ".nundb:3014";
    }

    /** A cluster of {@code nodes} nodes, all up, node 0 primary. */
    public static ClusterSnapshot cluster(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be >= 1: " + nodes);
        }
        SplittableRandom random = new SplittableRandom(nodes * 31L + 7);
        double[] bounds = RequestTimingConfig.defaults().bucketUpperBoundsSeconds();
        List<ViewMember> connected = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            connected.add(new ViewMember(nodeName(i), MemberStatus.CONNECTED, i == 0 ? Role.PRIMARY : Role.SECONDARY));
        }
        List<NodeSnapshot> out = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            String name = nodeName(i);
            List<ViewMember> members = new ArrayList<>(connected);
            members.set(i, new ViewMember(name, MemberStatus.SELF, i == 0 ? Role.PRIMARY : Role.SECONDARY));
            long polls = 86_400 + random.nextInt(1000);
            NodeSnapshot.Builder b = NodeSnapshot.builder(name)
                    .dialAddress(name)
                    .seed(i == 0)
                    .up(true)
                    .lastSuccessEpochMillis(NOW_MILLIS - random.nextInt(1000))
                    .observedAtEpochMillis(NOW_MILLIS)
                    .metrics(new MetricsState(
                            random.nextInt(50),
                            10_000_000L + random.nextInt(90_000_000),
                            100_000L + random.nextInt(900_000),
                            0.2 + random.nextDouble() * 3,
                            0.05 + random.nextDouble()))
                    .view(new ClusterView(members))
                    .processStartEpochMillis(NOW_MILLIS - 86_400_000L - random.nextInt(86_400_000))
                    .databases(3 + random.nextInt(20))
                    .pollErrors(PollErrorReason.TIMEOUT, random.nextInt(5))
                    .skippedTicks(random.nextInt(3))
                    .lateReplies(random.nextInt(3))
                    .connects(1 + random.nextInt(3));
            for (NunDbCommand c : NunDbCommand.values()) {
                if (c.ordinal() <= NunDbCommand.DEBUG_LIST_DBS.ordinal()) {
                    b.requests(c, polls);
                }
            }
            for (NunDbCommand c : TIMED) {
                b.timing(c, timing(random, bounds, polls));
            }
            if (i == 0) {
                b.pendingOps(pendingOps(random, nodes));
            }
            out.add(b.build());
        }
        return new ClusterSnapshot(NOW_MILLIS, out, nodes, 0);
    }

    /** The exporter's own state at render time, as the publisher builds it. */
    public static ExporterSnapshot exporter() {
        long[] renders = new long[ExporterSnapshot.RENDER_SLOTS];
        for (int i = 0; i < renders.length; i++) {
            renders[i] = 8640 + i;
        }
        return new ExporterSnapshot("0.1.0", "0123abcd", false, renders, 16_777_216, null);
    }

    /** Number of sample lines (series) in a text-format body: lines that are not comments. */
    public static int seriesInText(byte[] text) {
        int series = 0;
        boolean lineStart = true;
        for (byte b : text) {
            if (lineStart && b != '#' && b != '\n') {
                series++;
            }
            lineStart = b == '\n';
        }
        return series;
    }

    private static RequestTimingSnapshot timing(SplittableRandom random, double[] bounds, long count) {
        long[] counts = new long[bounds.length + 1];
        long left = count;
        // Most polls land between 250 µs and 2.5 ms on loopback; a tail reaches 100 ms.
        double[] shape = {0.0, 0.02, 0.25, 0.40, 0.25, 0.05, 0.02, 0.008, 0.0015, 0.0004, 0.0001, 0.0};
        double sum = 0;
        for (int k = 0; k < counts.length && left > 0; k++) {
            long n = Math.min(left, Math.round(count * shape[k] * (0.8 + 0.4 * random.nextDouble())));
            counts[k] = n;
            left -= n;
            double upper = k < bounds.length ? bounds[k] : 20;
            sum += n * upper * 0.7;
        }
        counts[3] += left;
        sum += left * bounds[3] * 0.7;
        double p50 = 0.0006 + random.nextDouble() * 0.0008;
        return new RequestTimingSnapshot(
                bounds, counts, count, sum, null, p50, p50 * 8, p50 * 40, p50 * (0.9 + 0.2 * random.nextDouble()));
    }

    private static PendingOpsSnapshot pendingOps(SplittableRandom random, int nodes) {
        Map<String, PendingOpsSnapshot.Member> members = new HashMap<>();
        for (int i = 1; i < nodes; i++) {
            long waiting = random.nextInt(4);
            members.put(
                    nodeName(i),
                    new PendingOpsSnapshot.Member(
                            waiting,
                            random.nextInt(10) == 0 ? 1 : 0,
                            waiting > 0 ? NOW_MILLIS * 1_000_000L - random.nextInt(50_000_000) : -1));
        }
        return new PendingOpsSnapshot(members, NOW_MILLIS, 40L * nodes);
    }
}
