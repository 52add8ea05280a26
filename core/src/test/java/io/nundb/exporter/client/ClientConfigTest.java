package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConfigTest {
    private static ClientConfig.Builder valid() {
        return ClientConfig.builder()
                .seeds(List.of("127.0.0.1:3014"))
                .user("nun")
                .password(() -> "s3cret");
    }

    @Test
    void rejectsARequestTimeoutUnderOneHundredMillis() {
        assertThatThrownBy(() -> valid().requestTimeout(Duration.ofMillis(99)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100ms");
    }

    @Test
    void rejectsSeedsAndMappedAddressesThatAreNotHostPort() {
        assertThatThrownBy(() -> valid().seeds(List.of("nundb")).build()).hasMessageContaining("host:port");
        assertThatThrownBy(() -> valid().addressMap(Map.of("a", "b")).build()).hasMessageContaining("host:port");
        assertThatThrownBy(() -> valid().seeds(List.of()).build()).hasMessageContaining("address");
    }

    @Test
    void rejectsAZeroPendingMaxAge() {
        assertThatThrownBy(() -> valid().pendingMaxAge(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pending max age");
        assertThat(valid().build().pendingMaxAge()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(valid().build().toString()).doesNotContain("s3cret");
    }
}
