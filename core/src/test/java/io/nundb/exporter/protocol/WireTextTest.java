package io.nundb.exporter.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireTextTest {
    @Test
    void eiselLemireMatchesTheJdkForRandomNormalDoubles() {
        Random random = new Random(11);
        int decided = 0;
        int tries = 50_000;
        for (int i = 0; i < tries; i++) {
            double d = Double.longBitsToDouble(random.nextLong() & Long.MAX_VALUE);
            if (Double.isNaN(d) || Double.isInfinite(d) || d < Double.MIN_NORMAL) {
                continue;
            }
            BigDecimal decimal = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            long w = decimal.unscaledValue().longValueExact();
            long bits = WireText.eiselLemire(w, -decimal.scale());
            if (bits >= 0) {
                decided++;
                assertThat(Double.longBitsToDouble(bits)).as(decimal.toString()).isEqualTo(d);
            }
        }
        assertThat(decided).as("decided without fallback").isGreaterThan(tries * 9 / 10);
    }

    @Test
    void eiselLemireRoundsHalfwayCasesToEven() {
        // 2^53 + 1 is halfway between two doubles and rounds down to even; 2^53 + 3 rounds up.
        assertThat(Double.longBitsToDouble(WireText.eiselLemire(9007199254740993L, 0)))
                .isEqualTo(9007199254740992.0);
        assertThat(Double.longBitsToDouble(WireText.eiselLemire(9007199254740995L, 0)))
                .isEqualTo(9007199254740996.0);
        assertThat(WireText.eiselLemire(1, -400)).isEqualTo(-1);
        assertThat(WireText.eiselLemire(1, 309)).isEqualTo(-1);
    }
}
