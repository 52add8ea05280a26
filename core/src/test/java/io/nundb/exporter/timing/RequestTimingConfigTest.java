package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nundb.exporter.protocol.NunDbCommand;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class RequestTimingConfigTest {

    @Test
    void defaultsHaveAtMostTwelveBucketsFromHundredMicrosToTenSeconds() {
        double[] bounds = RequestTimingConfig.defaults().bucketUpperBoundsSeconds();

        assertThat(bounds.length + 1).isLessThanOrEqualTo(12);
        assertThat(bounds[0]).isEqualTo(0.0001);
        assertThat(bounds[bounds.length - 1]).isEqualTo(10.0);
        assertThat(bounds).isSorted();
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
