package io.dalva.micrometer;

import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleUnaryOperator;

/**
 * Count, sum, maximum and service-level-objective buckets of a distribution (timer in
 * nanoseconds, or summary), kept cumulatively so that the registry's steps can take exact
 * differences. Lock-free on the recording side.
 */
final class StepDistribution {

    private final LongAdder count = new LongAdder();

    private final DoubleAdder sum = new DoubleAdder();

    /**
     * Largest value since the previous step, as double bits (values are never negative).
     */
    private final AtomicLong maxBits = new AtomicLong(Double.doubleToLongBits(0.0));

    private final double[] bounds;

    private final AtomicLongArray bucketCounts;

    /**
     * Readings at the previous step; read and written only under the registry's step
     * lock.
     */
    private long takenCount;

    private double takenSum;

    private final long[] takenBuckets;

    StepDistribution(DistributionStatisticConfig config) {
        // Percentile histograms serve backends that aggregate percentiles; Dalva gets the
        // configured percentiles instead, so only service level objectives become
        // buckets.
        this.bounds = config.getHistogramBuckets(false).stream().mapToDouble(Double::doubleValue).toArray();
        this.bucketCounts = new AtomicLongArray(bounds.length);
        this.takenBuckets = new long[bounds.length];
    }

    void record(double value) {
        count.increment();
        sum.add(value);
        long bits = Double.doubleToLongBits(value);
        long current;
        while (Double.longBitsToDouble(current = maxBits.get()) < value && !maxBits.compareAndSet(current, bits)) {
            // retry
        }
        if (bounds.length > 0) {
            int i = Arrays.binarySearch(bounds, value);
            int bucket = i >= 0 ? i : -i - 1;
            if (bucket < bounds.length) {
                bucketCounts.incrementAndGet(bucket);
            }
        }
    }

    long count() {
        return count.sum();
    }

    double sum() {
        return sum.sum();
    }

    /**
     * Takes the step: everything recorded since the previous call.
     * @param unit conversion applied to sums, maxima and bucket bounds (nanoseconds to
     * the base time unit for timers, identity for summaries)
     */
    StepReadings.DistributionReading takeStep(DoubleUnaryOperator unit) {
        double max = Double.longBitsToDouble(maxBits.getAndSet(Double.doubleToLongBits(0.0)));
        long nowCount = count.sum();
        double nowSum = sum.sum();
        long stepCount = nowCount - takenCount;
        double stepSum = nowSum - takenSum;
        takenCount = nowCount;
        takenSum = nowSum;
        double[] scaledBounds = new double[bounds.length];
        long[] atOrBelow = new long[bounds.length];
        long running = 0;
        for (int i = 0; i < bounds.length; i++) {
            long now = bucketCounts.get(i);
            running += now - takenBuckets[i];
            takenBuckets[i] = now;
            atOrBelow[i] = running;
            scaledBounds[i] = unit.applyAsDouble(bounds[i]);
        }
        return new StepReadings.DistributionReading(stepCount, unit.applyAsDouble(stepSum), unit.applyAsDouble(max),
                scaledBounds, atOrBelow);
    }

}
