package io.nundb.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusDurationTest {
    @Test
    void parsesPrometheusStyleDurations() {
        assertThat(PrometheusDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(PrometheusDuration.parse("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(PrometheusDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(PrometheusDuration.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(PrometheusDuration.parse("1h30m5s250ms")).isEqualTo(Duration.ofMillis(5_405_250));
        assertThat(PrometheusDuration.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(PrometheusDuration.parse("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void rejectsMalformedDurations() {
        for (String bad : new String[] {"", "1", "s", "1x", "1s1m", "1.5s", "-1s", "1 s", "1ss"}) {
            assertThatThrownBy(() -> PrometheusDuration.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void formatsBack() {
        assertThat(PrometheusDuration.format(Duration.ofMillis(90_500))).isEqualTo("1m30s500ms");
        assertThat(PrometheusDuration.format(Duration.ZERO)).isEqualTo("0s");
    }
}
