package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractTimer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.Histogram;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.util.TimeUtils;

import java.util.concurrent.TimeUnit;

/**
 * A timer whose count and total time are cumulative (as
 * {@link io.micrometer.core.instrument.Timer} documents), whose {@link #max(TimeUnit)} is
 * Micrometer's time-window maximum (it decays after the histogram's expiry, the step by
 * default), and whose steps are taken by {@link DalvaMeterRegistry}: the step's
 * {@code max} field is the largest recording since the previous Dalva step. Its
 * percentiles cover the step ({@link StepHistogram}) or, with
 * {@link PercentileWindow#WINDOW}, come from Micrometer's time-window histogram.
 */
final class DalvaTimer extends AbstractTimer {

    private final StepDistribution distribution;

    private final TimeWindowMax windowMax;

    /** Whether the step's percentiles come from {@link #takeSnapshot()}. */
    private final boolean windowPercentiles;

    DalvaTimer(Id id, Clock clock, DistributionStatisticConfig config, PauseDetector pauseDetector,
            TimeUnit baseTimeUnit, PercentileWindow percentiles) {
        super(id, clock, pauseDetector, baseTimeUnit, histogram(clock, config, percentiles));
        StepHistogram stepHistogram = (histogram instanceof StepHistogram) ? (StepHistogram) histogram : null;
        this.distribution = new StepDistribution(config, nanos -> TimeUtils.nanosToUnit(nanos, baseTimeUnit),
                stepHistogram);
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
    protected void recordNonNegative(long amount, TimeUnit unit) {
        long nanos = unit.toNanos(amount);
        distribution.record(nanos);
        windowMax.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public long count() {
        return distribution.count();
    }

    @Override
    public double totalTime(TimeUnit unit) {
        return TimeUtils.nanosToUnit(distribution.sum(), unit);
    }

    @Override
    public double max(TimeUnit unit) {
        return windowMax.poll(unit);
    }

    StepReadings.DistributionReading takeStep() {
        StepReadings.DistributionReading reading = distribution.takeStep();
        if (windowPercentiles) {
            ValueAtPercentile[] values = takeSnapshot().percentileValues();
            for (int i = 0; i < Math.min(values.length, reading.percentileValues().length); i++) {
                reading.percentileValues()[i] = values[i].value(baseTimeUnit());
            }
        }
        return reading;
    }

}
