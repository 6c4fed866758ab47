package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractTimer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.util.TimeUtils;

import java.util.concurrent.TimeUnit;

/**
 * A timer whose count and total time are cumulative (as
 * {@link io.micrometer.core.instrument.Timer} documents), whose {@link #max(TimeUnit)} is
 * Micrometer's time-window maximum (it decays after the histogram's expiry, the step by
 * default), and whose steps are taken by {@link DalvaMeterRegistry}: the step's
 * {@code max} field is the largest recording since the previous Dalva step. Percentiles
 * come from Micrometer's time-window histogram.
 */
final class DalvaTimer extends AbstractTimer {

    private final StepDistribution distribution;

    private final TimeWindowMax windowMax;

    DalvaTimer(Id id, Clock clock, DistributionStatisticConfig config, PauseDetector pauseDetector,
            TimeUnit baseTimeUnit) {
        super(id, clock, config, pauseDetector, baseTimeUnit, false);
        this.distribution = new StepDistribution(config);
        this.windowMax = new TimeWindowMax(clock, config);
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
        return distribution.takeStep(nanos -> TimeUtils.nanosToUnit(nanos, baseTimeUnit()));
    }

}
