package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.nundb.exporter.protocol.NunDbCommand;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SingleWriterRequestTimingsTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong();
    private final SingleWriterRequestTimings timings =
            new SingleWriterRequestTimings(RequestTimingConfig.defaults(), ImmediateEventExecutor.INSTANCE, clock::get);

    @Test
    void staysWithinSixtyFourKilobytesWithTheDefaults() {
        assertThat(timings.footprintBytes()).isLessThanOrEqualTo(64 * 1024).isGreaterThan(5 * 9_000);
    }

    @Test
    void allocatesNothingForUntimedCommands() {
        SingleWriterRequestTimings none = new SingleWriterRequestTimings(
                RequestTimingConfig.builder()
                        .timedCommands(EnumSet.noneOf(NunDbCommand.class))
                        .build(),
                ImmediateEventExecutor.INSTANCE,
                clock::get);

        assertThat(none.footprintBytes()).isLessThan(timings.footprintBytes() / 5);
    }

    @Test
    void dropsSamplesOfUntimedCommands() {
        assertThat(timings.record(NunDbCommand.SET, MS)).isFalse();
        assertThat(timings.snapshot()).isEmpty();
    }

    @Test
    void snapshotsEachTimedCommandWithSamples() {
        assertThat(timings.record(NunDbCommand.METRICS_STATE, 2 * MS)).isTrue();
        timings.record(NunDbCommand.METRICS_STATE, 4 * MS);
        timings.record(NunDbCommand.CLUSTER_STATE, 300_000);

        Map<NunDbCommand, RequestTimingSnapshot> snapshot = timings.snapshot();

        assertThat(snapshot).containsOnlyKeys(NunDbCommand.METRICS_STATE, NunDbCommand.CLUSTER_STATE);
        RequestTimingSnapshot metrics = snapshot.get(NunDbCommand.METRICS_STATE);
        assertThat(metrics.count()).isEqualTo(2);
        assertThat(metrics.sumSeconds()).isCloseTo(0.006, within(1e-12));
        assertThat(metrics.bucketUpperBoundsSeconds())
                .containsExactly(RequestTimingConfig.defaults().bucketUpperBoundsSeconds());
        assertThat(metrics.bucketCounts()).containsExactly(0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(metrics.windowP50Seconds()).isBetween(0.002, 0.00202);
        assertThat(metrics.windowP99Seconds()).isBetween(0.004, 0.00404);
        assertThat(metrics.windowMaxSeconds()).isBetween(0.004, 0.00404);
        assertThat(metrics.emaSeconds()).isCloseTo(0.002 + 2.0 / 101 * 0.002, within(1e-12));
        assertThat(snapshot.get(NunDbCommand.CLUSTER_STATE).bucketCounts()[0]).isEqualTo(1);
    }

    @Test
    void snapshotsAreCopiesUnaffectedByLaterSamples() {
        timings.record(NunDbCommand.METRICS_STATE, MS);
        RequestTimingSnapshot before = timings.snapshot().get(NunDbCommand.METRICS_STATE);

        timings.record(NunDbCommand.METRICS_STATE, MS);

        assertThat(before.count()).isEqualTo(1);
        assertThat(before.bucketCounts()[1]).isEqualTo(1);
    }

    @Test
    void keepsCumulativeBucketsWhileTheWindowEmpties() {
        timings.record(NunDbCommand.METRICS_STATE, MS);
        clock.set(120_000 * MS);

        RequestTimingSnapshot s = timings.snapshot().get(NunDbCommand.METRICS_STATE);

        assertThat(s.count()).isEqualTo(1);
        assertThat(s.bucketCounts()[1]).isEqualTo(1);
        assertThat(s.windowP50Seconds()).isNaN();
        assertThat(s.windowMaxSeconds()).isNaN();
        assertThat(s.emaSeconds()).isEqualTo(0.001);
    }

    @Test
    void placesASampleInTheWindowAtTheGivenEndTime() {
        timings.record(NunDbCommand.CLUSTER_STATE, MS, -30_000 * MS);
        timings.record(NunDbCommand.CLUSTER_STATE, 3 * MS, 0);
        clock.set(40_000 * MS);

        RequestTimingSnapshot s = timings.snapshot().get(NunDbCommand.CLUSTER_STATE);

        assertThat(s.count()).isEqualTo(2);
        assertThat(s.windowP50Seconds()).isBetween(0.003, 0.00303);
        assertThat(s.windowMaxSeconds()).isBetween(0.003, 0.00303);
    }

    @Test
    void snapshotsAsyncDirectlyWhenAlreadyOnTheOwningLoop() {
        timings.record(NunDbCommand.METRICS_STATE, MS);

        Future<Map<NunDbCommand, RequestTimingSnapshot>> f = timings.snapshotAsync();

        assertThat(f.isSuccess()).isTrue();
        assertThat(f.getNow()).containsOnlyKeys(NunDbCommand.METRICS_STATE);
    }

    @Test
    void handsSnapshotsOffToTheOwningLoop() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            SingleWriterRequestTimings owned =
                    new SingleWriterRequestTimings(RequestTimingConfig.defaults(), loop, clock::get);
            loop.submit(() -> owned.record(NunDbCommand.DEBUG_LIST_DBS, 7 * MS)).sync();

            Future<Map<NunDbCommand, RequestTimingSnapshot>> f = owned.snapshotAsync();

            assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(f.getNow().get(NunDbCommand.DEBUG_LIST_DBS).count()).isEqualTo(1);
            assertThatThrownBy(owned::snapshot).isInstanceOf(AssertionError.class);
            assertThatThrownBy(() -> owned.record(NunDbCommand.DEBUG_LIST_DBS, MS))
                    .isInstanceOf(AssertionError.class);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
