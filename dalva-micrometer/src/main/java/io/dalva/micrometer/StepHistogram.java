package io.dalva.micrometer;

import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.Histogram;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The histogram of a timer or distribution summary with percentiles when
 * {@link DalvaConfig#percentiles()} is {@link PercentileWindow#STEP}: the percentiles
 * published with a Dalva step cover exactly that step's recordings, like its count, sum
 * and max.
 *
 * <p>
 * Recordings go, lock-free, into {@link LogLinearBuckets}. The registry takes the step's
 * percentiles under its step lock with {@link #takeStep}, which empties the buckets and
 * allocates nothing. A percentile {@code q} of a step of {@code n} recordings is the
 * recording of rank {@code ceil(q * n)} (nearest rank, at least 1, with {@code q * n}
 * read as the decimal product), estimated as the midpoint of its bucket and never above
 * the step's max: within 1/128 (0.79 %) of it. The top rank ({@code p100}) is the step's
 * max exactly.
 *
 * <p>
 * As Micrometer's {@link Histogram} it also serves {@code takeSnapshot()}, which never
 * disturbs the step: its percentiles are those of the recordings since the previous Dalva
 * step (since the meter was created before the first), read without taking them. Service
 * level objective and percentile histogram counts come from Micrometer's own histogram
 * for the same configuration without percentiles, which this one feeds too.
 */
final class StepHistogram implements Histogram {

    private final LogLinearBuckets buckets = new LogLinearBuckets();

    private final Histogram counts;

    private final double[] percentiles;

    /** Indices of {@link #percentiles} in ascending order of percentile. */
    private final int[] ascending;

    // reused by takeStep, under the registry's step lock
    private final long[] stepRanks;

    private final double[] stepValues;

    /**
     * @param percentiles the configured percentiles, from 0 to 1
     * @param counts Micrometer's histogram for the service level objective and percentile
     * histogram counts of {@code takeSnapshot()}
     */
    StepHistogram(double[] percentiles, Histogram counts) {
        this.counts = counts;
        this.percentiles = percentiles.clone();
        this.ascending = IntStream.range(0, percentiles.length)
            .boxed()
            .sorted(Comparator.comparingDouble(i -> percentiles[i]))
            .mapToInt(Integer::intValue)
            .toArray();
        this.stepRanks = new long[percentiles.length];
        this.stepValues = new double[percentiles.length];
    }

    /**
     * @return the configuration without percentiles, for Micrometer's histogram of bucket
     * counts
     */
    static DistributionStatisticConfig withoutPercentiles(DistributionStatisticConfig config) {
        return DistributionStatisticConfig.builder().percentiles(new double[0]).build().merge(config);
    }

    @Override
    public void recordLong(long value) {
        buckets.record(value);
        counts.recordLong(value);
    }

    @Override
    public void recordDouble(double value) {
        buckets.record(value);
        counts.recordDouble(value);
    }

    /**
     * Takes the step's percentiles: every recording since the previous call. Called under
     * the registry's step lock.
     * @param count the step's count, read before this call (recordings reach this
     * histogram before the count)
     * @param max the step's largest recording
     * @param values receives each configured percentile's value, in configuration order;
     * all 0 when {@code count} is 0, as the step's mean and max
     */
    void takeStep(long count, double max, double[] values) {
        if (count == 0) {
            // whatever arrived since the count was read belongs to the next step's count
            Arrays.fill(values, 0.0);
            return;
        }
        ranks(count, stepRanks);
        buckets.drain(stepRanks, stepValues);
        for (int i = 0; i < ascending.length; i++) {
            double value = stepValues[i];
            // the top rank is the max, known exactly; NaN is a rank not reached (when
            // recordings counted in the previous step were drained with it), the max is
            // then the closest known value
            boolean top = stepRanks[i] == count || Double.isNaN(value) || value > max;
            values[ascending[i]] = top ? max : value;
        }
    }

    @Override
    public HistogramSnapshot takeSnapshot(long count, double total, double max) {
        HistogramSnapshot bucketCounts = counts.takeSnapshot(count, total, max);
        long[] ranks = new long[percentiles.length];
        double[] found = new double[percentiles.length];
        ranks(buckets.count(), ranks);
        buckets.read(ranks, found);
        ValueAtPercentile[] values = new ValueAtPercentile[percentiles.length];
        for (int i = 0; i < ascending.length; i++) {
            double value = found[i];
            values[ascending[i]] = new ValueAtPercentile(percentiles[ascending[i]], Double.isNaN(value) ? 0.0 : value);
        }
        return new HistogramSnapshot(count, total, max, values, bucketCounts.histogramCounts(),
                bucketCounts::outputSummary);
    }

    private void ranks(long count, long[] ranks) {
        for (int i = 0; i < ascending.length; i++) {
            double exact = Math.min(1.0, Math.max(0.0, percentiles[ascending[i]])) * count;
            // a few ulps down: 0.7 * 10 is 7.000000000000001, whose rank is 7
            ranks[i] = Math.max(1, Math.min(count, (long) Math.ceil(exact - 4 * Math.ulp(exact))));
        }
    }

    @Override
    public void close() {
        counts.close();
    }

}
