package io.dalva.benchmarks;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LatencyHistogramTest {

    private final LatencyHistogram histogram = new LatencyHistogram();

    @Test
    void smallDurationsAreExact() {
        for (long nanos = 0; nanos < 64; nanos++) {
            assertThat(LatencyHistogram.upperBound(LatencyHistogram.index(nanos))).isEqualTo(nanos);
        }
    }

    @Test
    void everyBucketHoldsWhatItsBoundsSayWithin1in32() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1_000_000; i++) {
            long nanos = random.nextLong(Long.MAX_VALUE >>> random.nextInt(63));
            int index = LatencyHistogram.index(nanos);
            long upper = LatencyHistogram.upperBound(index);
            long lower = index == 0 ? 0 : LatencyHistogram.upperBound(index - 1) + 1;
            assertThat(nanos).isBetween(lower, upper);
            assertThat((double) (upper - lower)).isLessThanOrEqualTo(Math.max(0, upper / 32.0));
        }
        assertThat(LatencyHistogram.upperBound(LatencyHistogram.index(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void quantilesCountEveryCallAndNeverReadBelowTheTruth() {
        // 9,990 calls of 2 us and 10 of 100 us: the p99.9 is the last fast call, the
        // next one a slow call
        for (int i = 0; i < 9_990; i++) {
            histogram.record(2_000);
        }
        for (int i = 0; i < 10; i++) {
            histogram.record(100_000);
        }

        assertThat(histogram.count()).isEqualTo(10_000);
        assertThat(histogram.quantile(0.5)).isBetween(2_000L, 2_000L + 2_000 / 32);
        assertThat(histogram.quantile(0.999)).isBetween(2_000L, 2_000L + 2_000 / 32);
        assertThat(histogram.quantile(0.9991)).isEqualTo(100_000);
        assertThat(histogram.quantile(1)).isEqualTo(100_000);
        assertThat(histogram.max()).isEqualTo(100_000);
    }

    @Test
    void aClearedHistogramHasNothingAndNegativeDurationsCountAsZero() {
        histogram.record(5_000);
        histogram.clear();
        assertThat(histogram.count()).isZero();
        assertThat(histogram.quantile(0.999)).isZero();

        histogram.record(-3);
        assertThat(histogram.quantile(1)).isZero();
        assertThatIllegalArgumentException().isThrownBy(() -> histogram.quantile(1.5))
            .withMessage("quantile must be within [0, 1], not 1.5");
    }

}
