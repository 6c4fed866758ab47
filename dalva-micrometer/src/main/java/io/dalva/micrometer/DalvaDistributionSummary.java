package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractDistributionSummary;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.TimeWindowMax;

/**
 * A distribution summary whose count and total are cumulative, whose {@link #max()} is
 * Micrometer's time-window maximum (it decays after the histogram's expiry, the step by
 * default), and whose steps are taken by {@link DalvaMeterRegistry}: the step's
 * {@code max} field is the largest recording since the previous Dalva step. Percentiles
 * come from Micrometer's time-window histogram.
 */
final class DalvaDistributionSummary extends AbstractDistributionSummary {

    private final StepDistribution distribution;

    private final TimeWindowMax windowMax;

    DalvaDistributionSummary(Id id, Clock clock, DistributionStatisticConfig config, double scale) {
        super(id, clock, config, scale, false);
        this.distribution = new StepDistribution(config);
        this.windowMax = new TimeWindowMax(clock, config);
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
        return distribution.takeStep(amount -> amount);
    }

}
