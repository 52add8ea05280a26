package io.nundb.exporter.timing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SingleWriterBucketsTest {
    private final SingleWriterBuckets buckets = new SingleWriterBuckets(RequestTimingConfig.builder()
            .bucketUpperBoundsSeconds(0.00025, 0.001, 1)
            .build());

    @Test
    void countsASampleEqualToABoundInThatBucket() {
        buckets.record(250_000);
        buckets.record(1_000_000);
        buckets.record(1_000_000_000);

        assertThat(buckets.countsCopy()).containsExactly(1, 1, 1, 0);
    }

    @Test
    void countsASampleJustAboveABoundInTheNextBucket() {
        buckets.record(250_001);
        buckets.record(1_000_000_001);

        assertThat(buckets.countsCopy()).containsExactly(0, 1, 0, 1);
    }

    @Test
    void keepsExactSumAndCount() {
        buckets.record(3);
        buckets.record(5_000_000_000L);
        buckets.record(7);

        assertThat(buckets.count()).isEqualTo(3);
        assertThat(buckets.sumNanos()).isEqualTo(5_000_000_010L);
    }

    @Test
    void treatsNegativeDurationsAsZero() {
        buckets.record(-5);

        assertThat(buckets.countsCopy()).containsExactly(1, 0, 0, 0);
        assertThat(buckets.sumNanos()).isZero();
    }

    @Test
    void handsOutCopiesThatDoNotChangeTheState() {
        buckets.record(1);
        buckets.countsCopy()[0] = 99;
        buckets.upperBoundsSecondsCopy()[0] = 99;

        assertThat(buckets.countsCopy()).containsExactly(1, 0, 0, 0);
        assertThat(buckets.upperBoundsSecondsCopy()).containsExactly(0.00025, 0.001, 1);
    }
}
