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
 * differences, and the step's percentiles from a {@link StepHistogram} when there is one.
 * Lock-free on the recording side; a step allocates only its small reading, whose arrays
 * are this distribution's own, reused at every step.
 */
final class StepDistribution {

    private static final String[] NONE = new String[0];

    private final LongAdder count = new LongAdder();

    private final DoubleAdder sum = new DoubleAdder();

    /**
     * Largest value since the previous step, as double bits (values are never negative).
     */
    private final AtomicLong maxBits = new AtomicLong(Double.doubleToLongBits(0.0));

    private final double[] bounds;

    private final AtomicLongArray bucketCounts;

    private final DoubleUnaryOperator unit;

    private final StepHistogram histogram;

    private final String[] bucketFields;

    private final String[] percentileFields;

    /**
     * Readings at the previous step and the arrays a step hands out; read and written
     * only under the registry's step lock.
     */
    private long takenCount;

    private double takenSum;

    private final long[] takenBuckets;

    private final long[] stepBuckets;

    private final double[] stepPercentiles;

    /**
     * @param unit conversion applied to sums, maxima, percentiles and bucket bounds
     * (nanoseconds to the base time unit for timers, identity for summaries)
     * @param histogram the step's percentiles, or {@code null} when the meter has none or
     * takes them from Micrometer's time-window histogram (the meter then fills
     * {@link StepReadings.DistributionReading#percentileValues()} itself)
     */
    StepDistribution(DistributionStatisticConfig config, DoubleUnaryOperator unit, StepHistogram histogram) {
        // Percentile histograms serve backends that aggregate percentiles; Dalva gets the
        // configured percentiles instead, so only service level objectives become
        // buckets.
        this.bounds = config.getHistogramBuckets(false).stream().mapToDouble(Double::doubleValue).toArray();
        this.bucketCounts = new AtomicLongArray(bounds.length);
        this.takenBuckets = new long[bounds.length];
        this.stepBuckets = new long[bounds.length];
        this.bucketFields = Arrays.stream(bounds).map(unit).mapToObj(MeterFields::bucketField).toArray(String[]::new);
        double[] percentiles = config.isPublishingPercentiles() ? config.getPercentiles() : new double[0];
        this.percentileFields = (percentiles.length == 0) ? NONE
                : Arrays.stream(percentiles).mapToObj(MeterFields::percentileField).toArray(String[]::new);
        this.stepPercentiles = new double[percentiles.length];
        this.unit = unit;
        this.histogram = histogram;
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
     */
    StepReadings.DistributionReading takeStep() {
        double max = Double.longBitsToDouble(maxBits.getAndSet(Double.doubleToLongBits(0.0)));
        long nowCount = count.sum();
        double nowSum = sum.sum();
        long stepCount = nowCount - takenCount;
        double stepSum = nowSum - takenSum;
        takenCount = nowCount;
        takenSum = nowSum;
        long running = 0;
        for (int i = 0; i < bounds.length; i++) {
            long now = bucketCounts.get(i);
            running += now - takenBuckets[i];
            takenBuckets[i] = now;
            stepBuckets[i] = running;
        }
        if (histogram != null) {
            histogram.takeStep(stepCount, max, stepPercentiles);
            for (int i = 0; i < stepPercentiles.length; i++) {
                stepPercentiles[i] = unit.applyAsDouble(stepPercentiles[i]);
            }
        }
        return new StepReadings.DistributionReading(stepCount, unit.applyAsDouble(stepSum), unit.applyAsDouble(max),
                bucketFields, stepBuckets, percentileFields, stepPercentiles);
    }

}
