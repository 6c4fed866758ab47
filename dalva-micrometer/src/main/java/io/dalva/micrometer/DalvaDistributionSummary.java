package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractDistributionSummary;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * A distribution summary whose count and total are cumulative, whose {@link #max()} is
 * the largest recording since the previous Dalva step, and whose steps are taken by
 * {@link DalvaMeterRegistry}. Percentiles come from Micrometer's time-window histogram.
 */
final class DalvaDistributionSummary extends AbstractDistributionSummary {

    private final StepDistribution distribution;

    DalvaDistributionSummary(Id id, Clock clock, DistributionStatisticConfig config, double scale) {
        super(id, clock, config, scale, false);
        this.distribution = new StepDistribution(config);
    }

    @Override
    protected void recordNonNegative(double amount) {
        distribution.record(amount);
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
        return distribution.max();
    }

    StepReadings.DistributionReading takeStep() {
        return distribution.takeStep(amount -> amount);
    }

}
