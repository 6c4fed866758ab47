package io.dalva.internal.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": the n-th retry (0-based) waits a random time
 * between half and all of {@code min(max, initial * 2^n)}. The lower half keeps retries
 * from hammering a recovering server; the random upper half spreads many clients apart.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff initial delay must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff max delay " + max + " is below its initial delay " + initial);
        }
    }

    /** The delay before retry number {@code retry} (0 for the first retry). */
    long delayNanos(int retry, RandomGenerator random) {
        long ceiling = ceilingNanos(retry);
        long half = ceiling / 2;
        return half + (ceiling - half == 0 ? 0 : random.nextLong(ceiling - half + 1));
    }

    long ceilingNanos(int retry) {
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int shift = Math.min(Math.max(retry, 0), 62);
        if (initialNanos > (maxNanos >> shift)) {
            return maxNanos;
        }
        return Math.min(maxNanos, initialNanos << shift);
    }
}
