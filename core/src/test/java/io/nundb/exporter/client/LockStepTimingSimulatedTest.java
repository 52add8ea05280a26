package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nundb.exporter.model.NodeSnapshot;
import io.nundb.exporter.protocol.NunDbCommand;
import io.nundb.exporter.sim.SimulatedCluster;
import io.nundb.exporter.timing.RequestTimingConfig;
import io.nundb.exporter.timing.RequestTimingSnapshot;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The request-duration histograms hold lock-step samples only: a request written while another is still
 * outstanding (here, behind a request that missed its deadline) is not timed. With replies flushed 600 ms
 * late and a 300 ms request timeout, a poll written behind a timed-out one is answered in the same flush,
 * 150-300 ms after its own write: a naive recording of pipelined replies would add those samples, well
 * under the server's real 600 ms, while every lock-step poll takes at least 600 ms and times out.
 */
class LockStepTimingSimulatedTest {
    /** Replies are flushed 600 ms late; requests time out after 300 ms; polls every 150 ms. */
    private static final Duration SLOW = Duration.ofMillis(600);

    private static final RequestTimingConfig TIMING = RequestTimingConfig.builder()
            .bucketUpperBoundsSeconds(0.001, 0.01, 0.1, 0.3, 1, 10)
            .build();

    @Test
    void repliesToPipelinedRequestsAreNotRecorded() {
        try (SimulatedCluster cluster = SimulatedCluster.builder().size(1).start();
                ClusterCollector collector = new ClusterCollector(
                        PendingOpsSimulatedTest.clientConfig(cluster)
                                .hardTimeout(Duration.ofSeconds(5))
                                .build(),
                        null,
                        TimeSource.SYSTEM,
                        TIMING)) {
            collector.start();
            String name = cluster.node(0).name();
            await().until(() -> {
                NodeSnapshot s = collector.snapshot().node(name);
                return s != null && s.timings().containsKey(NunDbCommand.METRICS_STATE);
            });

            long lateAtStart = collector.snapshot().node(name).lateReplies();
            cluster.node(0).slowReplies(SLOW);
            // From the first late reply on, every flush is slow (a poll in flight at the switch may not be).
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> collector.snapshot().node(name).lateReplies() > lateAtStart);
            NodeSnapshot before = collector.snapshot().node(name);
            RequestTimingSnapshot t0 = before.timings().get(NunDbCommand.METRICS_STATE);
            long late0 = before.lateReplies();
            // Each poll times out after 300 ms; the next one is written behind it and answered with it.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> collector.snapshot().node(name).lateReplies() >= late0 + 4);
            NodeSnapshot after = collector.snapshot().node(name);
            RequestTimingSnapshot t1 = after.timings().get(NunDbCommand.METRICS_STATE);

            // While the node flushed every 600 ms no sample was added: every lock-step poll timed out, and the
            // polls written behind a timed-out one, answered 150-300 ms after their own write, are not timed.
            assertThat(t1.count()).isEqualTo(t0.count());
            assertThat(t1.bucketCounts()).isEqualTo(t0.bucketCounts());
            assertThat(after.requests(NunDbCommand.METRICS_STATE))
                    .isGreaterThanOrEqualTo(before.requests(NunDbCommand.METRICS_STATE) + 4);
        }
    }
}
