package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nundb.exporter.protocol.NunDbCommand;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class RequestTimingConfigTest {

    @Test
    void defaultsHaveAtMostTwelveBucketsUpToTenSeconds() {
        double[] bounds = RequestTimingConfig.defaults().bucketUpperBoundsSeconds();

        assertThat(bounds.length + 1).isLessThanOrEqualTo(12);
        assertThat(bounds[bounds.length - 1]).isEqualTo(10.0);
        assertThat(bounds).isSorted();
    }

    @Test
    void defaultsPutRepliesDelayedByNagleInABucketOfTheirOwn() {
        // Measured on a real Nun-db (protocol notes, Appendix B): with TCP_QUICKACK min 0.42 ms, p99
        // 4.8 ms; a reply held back by delayed ACK against Nagle 40 ms (Linux minimum) to 49.7 ms (p99).
        SingleWriterBuckets healthy = new SingleWriterBuckets(RequestTimingConfig.defaults());
        healthy.record(420_000);
        healthy.record(4_800_000);
        SingleWriterBuckets nagle = new SingleWriterBuckets(RequestTimingConfig.defaults());
        nagle.record(40_000_000);
        nagle.record(49_700_000);

        long[] delayed = nagle.countsCopy();
        int bucket = 0;
        while (delayed[bucket] == 0) {
            bucket++;
        }
        assertThat(delayed[bucket]).as("both delayed replies in one bucket").isEqualTo(2);
        assertThat(healthy.countsCopy()[bucket]).isZero();
        double[] bounds = RequestTimingConfig.defaults().bucketUpperBoundsSeconds();
        assertThat(bounds[bucket - 1]).as("lower bound of the Nagle bucket").isGreaterThan(0.025);
        assertThat(bounds[bucket]).as("upper bound of the Nagle bucket").isLessThan(0.1);
    }

    @Test
    void defaultsTimeThePollsOnly() {
        assertThat(RequestTimingConfig.defaults().timedCommands())
                .containsExactlyInAnyOrder(
                        NunDbCommand.METRICS_STATE,
                        NunDbCommand.CLUSTER_STATE,
                        NunDbCommand.DEBUG_PENDING_OPS,
                        NunDbCommand.DEBUG_PROCESS_INFO,
                        NunDbCommand.DEBUG_LIST_DBS);
        assertThat(RequestTimingConfig.defaults().windowNanos()).isEqualTo(60_000_000_000L);
        assertThat(RequestTimingConfig.defaults().emaPeriod()).isEqualTo(100);
    }

    @Test
    void rejectsBoundsNotStrictlyAscending() {
        assertThatThrownBy(() -> RequestTimingConfig.builder().bucketUpperBoundsSeconds(0.1, 0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> RequestTimingConfig.builder().bucketUpperBoundsSeconds(1, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNonPositiveOrNonFiniteBounds() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e-12}) {
            assertThatThrownBy(() -> RequestTimingConfig.builder().bucketUpperBoundsSeconds(bad))
                    .as("bound %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsMoreThanElevenFiniteBoundsOrNone() {
        assertThatThrownBy(() ->
                        RequestTimingConfig.builder().bucketUpperBoundsSeconds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..11");
        assertThatThrownBy(() -> RequestTimingConfig.builder().bucketUpperBoundsSeconds())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesBoundsSoCallersCannotChangeThem() {
        double[] bounds = {0.1, 1};
        RequestTimingConfig config =
                RequestTimingConfig.builder().bucketUpperBoundsSeconds(bounds).build();
        bounds[0] = 0.5;
        config.bucketUpperBoundsSeconds()[1] = 7;

        assertThat(config.bucketUpperBoundsSeconds()).containsExactly(0.1, 1);
    }

    @Test
    void rejectsWindowSettingsOutOfRange() {
        assertThatThrownBy(() -> RequestTimingConfig.builder().window(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestTimingConfig.builder().windowSubIntervals(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestTimingConfig.builder().windowCapacity(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestTimingConfig.builder().windowCapacity(4097))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestTimingConfig.builder()
                        .window(Duration.ofMillis(5))
                        .windowSubIntervals(6)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 ms");
        assertThatThrownBy(() -> RequestTimingConfig.builder().emaPeriod(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsAnEmptySetOfTimedCommands() {
        RequestTimingConfig config = RequestTimingConfig.builder()
                .timedCommands(EnumSet.noneOf(NunDbCommand.class))
                .build();

        assertThat(config.timedCommands()).isEmpty();
    }
}
