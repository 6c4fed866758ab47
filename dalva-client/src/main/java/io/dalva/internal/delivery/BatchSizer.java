package io.dalva.internal.delivery;

import java.time.Duration;

/**
 * Sizes metric batches to what the server stores in about the target time: it keeps an
 * estimate of the server's time per value (a moving average of each request's duration
 * divided by its values, starting from the real server's measured 5 ms) and allows as
 * many values as fit in the target, between 1 and the configured maximum.
 */
final class BatchSizer {

    /** Dalva's server, measured on a 2-core machine: about 4 to 13 ms per value. */
    static final long INITIAL_NANOS_PER_VALUE = 5_000_000;

    private final long targetNanos;

    private final int maxValues;

    private double nanosPerValue = INITIAL_NANOS_PER_VALUE;

    BatchSizer(Duration target, int maxValues) {
        this.targetNanos = target.toNanos();
        this.maxValues = maxValues;
    }

    /** Values the next request may carry. */
    int budget() {
        return (int) Math.max(1, Math.min(maxValues, targetNanos / Math.max(1.0, nanosPerValue)));
    }

    /** How long the server is expected to take for {@code values}. */
    Duration expected(int values) {
        return Duration.ofNanos((long) Math.min(Long.MAX_VALUE / 2.0, values * nanosPerValue));
    }

    /** Records a request of {@code values} that the server stored in {@code nanos}. */
    void measured(int values, long nanos) {
        if (values > 0 && nanos > 0) {
            nanosPerValue = (nanosPerValue + (double) nanos / values) / 2;
        }
    }

}
