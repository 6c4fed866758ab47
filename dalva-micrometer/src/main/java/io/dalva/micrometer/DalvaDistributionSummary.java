package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractDistributionSummary;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.Histogram;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.util.function.DoubleUnaryOperator;

/**
 * A distribution summary whose count and total are cumulative, whose {@link #max()} is
 * Micrometer's time-window maximum (it decays after the histogram's expiry, the step by
 * default), and whose steps are taken by {@link DalvaMeterRegistry}: the step's
 * {@code max} field is the largest recording since the previous Dalva step. Its
 * percentiles cover the step ({@link StepHistogram}) or, with
 * {@link PercentileWindow#WINDOW}, come from Micrometer's time-window histogram.
 */
final class DalvaDistributionSummary extends AbstractDistributionSummary {

    private final StepDistribution distribution;

    private final TimeWindowMax windowMax;

    /** Whether the step's percentiles come from {@link #takeSnapshot()}. */
    private final boolean windowPercentiles;

    DalvaDistributionSummary(Id id, Clock clock, DistributionStatisticConfig config, double scale,
            PercentileWindow percentiles) {
        super(id, scale, histogram(clock, config, percentiles));
        StepHistogram stepHistogram = (histogram instanceof StepHistogram) ? (StepHistogram) histogram : null;
        this.distribution = new StepDistribution(config, DoubleUnaryOperator.identity(), stepHistogram);
        this.windowMax = new TimeWindowMax(clock, config);
        this.windowPercentiles = stepHistogram == null && config.isPublishingPercentiles();
    }

    private static Histogram histogram(Clock clock, DistributionStatisticConfig config, PercentileWindow percentiles) {
        if (percentiles == PercentileWindow.STEP && config.isPublishingPercentiles()) {
            return new StepHistogram(config.getPercentiles(),
                    defaultHistogram(clock, StepHistogram.withoutPercentiles(config), false));
        }
        return defaultHistogram(clock, config, false);
    }

    @Override
    protected void recordNonNegative(double amount) {
        distribution.record(amount);
        windowMax.record(amount);
    }

    @Override
    public long count() {
        return distribution.count();
    }

    @Override
    public double totalAmount() {
        return distribution.sum();
    }

    @Override
    public double max() {
        return windowMax.poll();
    }

    StepReadings.DistributionReading takeStep() {
        StepReadings.DistributionReading reading = distribution.takeStep();
        if (windowPercentiles) {
            ValueAtPercentile[] values = takeSnapshot().percentileValues();
            for (int i = 0; i < Math.min(values.length, reading.percentileValues().length); i++) {
                reading.percentileValues()[i] = values[i].value();
            }
        }
        return reading;
    }

}
