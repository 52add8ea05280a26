package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.SentinelResult;
import org.junit.jupiter.api.Test;

class SentinelTest {
    @Test
    void valueNamesTheMomentItWasWrittenInTwoWords() {
        assertThat(Sentinel.value(1_732_900_000_123L)).isEqualTo("written-at 1732900000123");
        assertThat(Sentinel.token(Sentinel.value(1_732_900_000_123L))).isEqualTo("1732900000123");
    }

    @Test
    void aValueAfterTheResyncBugIsTheSameSentinel() {
        // Spec §5.7: the resync stores the value without its first word.
        String written = Sentinel.value(42L);
        String resynced = written.substring(written.indexOf(' ') + 1);

        assertThat(Sentinel.classify(resynced, Sentinel.token(written))).isEqualTo(SentinelResult.PRESENT);
        assertThat(Sentinel.classify(written, Sentinel.token(resynced))).isEqualTo(SentinelResult.PRESENT);
    }

    @Test
    void anEmptyOrMissingKeyIsMissingAndAnotherSentinelIsDifferent() {
        assertThat(Sentinel.classify("<Empty>", "42")).isEqualTo(SentinelResult.MISSING);
        assertThat(Sentinel.classify("", "42")).isEqualTo(SentinelResult.MISSING);
        assertThat(Sentinel.token("<Empty>")).isNull();
        assertThat(Sentinel.classify(Sentinel.value(43L), "42")).isEqualTo(SentinelResult.DIFFERENT);
        assertThat(Sentinel.classify(Sentinel.value(42L), "42")).isEqualTo(SentinelResult.PRESENT);
    }
}
