package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheMaximumWithoutJitter() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0, () -> 0.5);
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(400).toNanos());
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(800).toNanos());
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(1000).toNanos());
        for (int i = 0; i < 100; i++) {
            assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(1000).toNanos());
        }
    }

    @Test
    void jitterOnlyShortensTheDelayWithinItsFraction() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(100), 0.2, () -> 0.999);
        long d = b.nextDelayNanos();
        assertThat(d)
                .isBetween(
                        Duration.ofMillis(80).toNanos(), Duration.ofMillis(100).toNanos());
    }

    @Test
    void resetStartsOverAtTheInitialDelay() {
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), 0, () -> 0);
        b.nextDelayNanos();
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
        b.reset();
        assertThat(b.nextDelayNanos()).isEqualTo(Duration.ofMillis(10).toNanos());
    }

    @Test
    void rejectsAMaximumBelowTheInitialDelay() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0, () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
