package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractTimer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.util.TimeUtils;

import java.util.concurrent.TimeUnit;

/**
 * A timer whose count and total time are cumulative (as
 * {@link io.micrometer.core.instrument.Timer} documents), whose {@link #max(TimeUnit)} is
 * the largest recording since the previous Dalva step, and whose steps are taken by
 * {@link DalvaMeterRegistry}. Percentiles come from Micrometer's time-window histogram.
 */
final class DalvaTimer extends AbstractTimer {

    private final StepDistribution distribution;

    DalvaTimer(Id id, Clock clock, DistributionStatisticConfig config, PauseDetector pauseDetector,
            TimeUnit baseTimeUnit) {
        super(id, clock, config, pauseDetector, baseTimeUnit, false);
        this.distribution = new StepDistribution(config);
    }

    @Override
    protected void recordNonNegative(long amount, TimeUnit unit) {
        distribution.record(unit.toNanos(amount));
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
        return TimeUtils.nanosToUnit(distribution.max(), unit);
    }

    StepReadings.DistributionReading takeStep() {
        return distribution.takeStep(nanos -> TimeUtils.nanosToUnit(nanos, baseTimeUnit()));
    }

}
