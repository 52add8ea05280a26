package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowedQuantilesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private final WindowedQuantiles window = new WindowedQuantiles(RequestTimingConfig.defaults());

    @Test
    void isEmptyBeforeTheFirstSample() {
        window.refresh(0);

        assertThat(window.size()).isZero();
        assertThat(window.valueAtPercentileSeconds(50)).isNaN();
        assertThat(window.maxSeconds()).isNaN();
    }

    @Test
    void readsQuantilesWithinTwoSignificantDigits() {
        for (int i = 1; i <= 100; i++) {
            window.record(i * MS, 5 * SECOND);
        }
        window.refresh(5 * SECOND);

        assertThat(window.valueAtPercentileSeconds(50)).isBetween(0.050, 0.0505);
        assertThat(window.valueAtPercentileSeconds(99)).isBetween(0.099, 0.09999);
        assertThat(window.maxSeconds()).isBetween(0.100, 0.101);
    }

    @Test
    void dropsSamplesOnceOlderThanTheWindow() {
        window.record(500 * MS, 0);
        window.record(1 * MS, 30 * SECOND);

        window.refresh(59 * SECOND);
        assertThat(window.size()).isEqualTo(2);
        assertThat(window.maxSeconds()).isBetween(0.5, 0.505);

        window.refresh(60 * SECOND);
        assertThat(window.size()).isEqualTo(1);
        assertThat(window.maxSeconds()).isBetween(0.001, 0.00101);

        window.refresh(95 * SECOND);
        assertThat(window.size()).isZero();
        assertThat(window.maxSeconds()).isNaN();
    }

    @Test
    void startsAfreshAfterAGapLongerThanTheWindow() {
        window.record(900 * MS, 0);
        window.record(2 * MS, 3600 * SECOND);
        window.refresh(3600 * SECOND);

        assertThat(window.size()).isEqualTo(1);
        assertThat(window.maxSeconds()).isBetween(0.002, 0.00202);
    }

    @Test
    void dropsTheOldestSamplesBeyondCapacity() {
        WindowedQuantiles small = new WindowedQuantiles(
                RequestTimingConfig.builder().windowCapacity(3).build());
        small.record(9 * SECOND, 0);
        small.record(1 * MS, 11 * SECOND);
        small.record(2 * MS, 12 * SECOND);
        small.record(3 * MS, 25 * SECOND);
        small.refresh(25 * SECOND);

        assertThat(small.size()).isEqualTo(3);
        assertThat(small.maxSeconds()).isBetween(0.003, 0.00303);
        assertThat(small.valueAtPercentileSeconds(0)).isBetween(0.001, 0.00101);
    }

    @Test
    void keepsHistogramCountsBoundedWithoutReads() {
        WindowedQuantiles small = new WindowedQuantiles(
                RequestTimingConfig.builder().windowCapacity(4).build());
        for (int i = 0; i < 1000; i++) {
            small.record(i == 0 ? 5 * SECOND : MS, 0);
        }
        small.refresh(0);

        assertThat(small.size()).isEqualTo(4);
        assertThat(small.maxSeconds()).isBetween(0.001, 0.00101);
    }

    @Test
    void clampsSamplesAboveTheLargestBound() {
        window.record(30 * SECOND, 0);
        window.refresh(0);

        assertThat(window.maxSeconds()).isBetween(10.0, 10.1);
    }

    @Test
    void ignoresAClockThatStepsBack() {
        window.record(MS, 50 * SECOND);
        window.record(2 * MS, 40 * SECOND);
        window.refresh(45 * SECOND);

        assertThat(window.size()).isEqualTo(2);
    }

    @Test
    void worksWithNegativeNanoTime() {
        WindowedQuantiles w = new WindowedQuantiles(
                RequestTimingConfig.builder().window(Duration.ofSeconds(6)).build());
        long base = Long.MIN_VALUE / 2;
        w.record(MS, base);
        w.refresh(base + 5 * SECOND);
        assertThat(w.size()).isEqualTo(1);

        w.refresh(base + 7 * SECOND);
        assertThat(w.size()).isZero();
    }
}
