package io.nundb.exporter.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.nundb.exporter.model.SentinelResult;
import org.junit.jupiter.api.Test;

class SentinelTallyTest {
    @Test
    void noSnapshotBeforeTheFirstCheckAndAnUnansweredCheckLeavesTheVerdict() {
        SentinelTally tally = new SentinelTally("n1");
        assertThat(tally.snapshot()).isNull();

        tally.record(SentinelResult.ERROR);
        assertThat(tally.snapshot().last()).isNull();
        tally.record(SentinelResult.MISSING);
        tally.record(SentinelResult.ERROR);

        assertThat(tally.snapshot().last()).isEqualTo(SentinelResult.MISSING);
        assertThat(tally.snapshot().checks(SentinelResult.ERROR)).isEqualTo(2);
        assertThat(tally.snapshot().checks(SentinelResult.MISSING)).isEqualTo(1);
    }

    @Test
    void aWithdrawnVerdictIsNotExposedUntilTheNextCheckAndTheCountsStay() {
        SentinelTally tally = new SentinelTally("n1");
        tally.record(SentinelResult.MISSING);

        tally.withdraw();
        assertThat(tally.snapshot().last()).isNull();
        assertThat(tally.snapshot().present()).isFalse();
        assertThat(tally.snapshot().checks(SentinelResult.MISSING)).isEqualTo(1);

        tally.record(SentinelResult.PRESENT);
        assertThat(tally.snapshot().present()).isTrue();
    }
}
