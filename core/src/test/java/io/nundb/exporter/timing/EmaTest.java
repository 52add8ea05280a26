package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EmaTest {

    @Test
    void isNotANumberBeforeTheFirstSample() {
        assertThat(new Ema(100).valueSeconds()).isNaN();
    }

    @Test
    void firstSampleSetsTheAverage() {
        Ema ema = new Ema(100);
        ema.update(2_000_000_000L);

        assertThat(ema.valueSeconds()).isEqualTo(2.0);
    }

    @Test
    void laterSamplesMoveItByTwoOverPeriodPlusOne() {
        Ema ema = new Ema(3); // k = 0.5
        ema.update(1_000_000_000L);
        ema.update(3_000_000_000L);

        assertThat(ema.valueSeconds()).isCloseTo(2.0, within(1e-12));

        ema.update(0);
        assertThat(ema.valueSeconds()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void periodOneKeepsTheLastSample() {
        Ema ema = new Ema(1);
        ema.update(5_000);
        ema.update(7_000);

        assertThat(ema.valueSeconds()).isEqualTo(7e-6);
    }

    @Test
    void rejectsPeriodBelowOne() {
        assertThatThrownBy(() -> new Ema(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
