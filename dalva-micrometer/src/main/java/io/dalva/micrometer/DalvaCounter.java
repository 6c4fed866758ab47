package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractMeter;
import io.micrometer.core.instrument.Counter;

import java.util.concurrent.atomic.DoubleAdder;

/**
 * A counter whose {@link #count()} is cumulative (as {@link Counter} documents) and whose
 * steps are taken by {@link DalvaMeterRegistry}, not by the clock.
 */
final class DalvaCounter extends AbstractMeter implements Counter {

    private final DoubleAdder total = new DoubleAdder();

    /**
     * Total at the previous step; read and written only under the registry's step lock.
     */
    private double taken;

    DalvaCounter(Id id) {
        super(id);
    }

    @Override
    public void increment(double amount) {
        total.add(amount);
    }

    @Override
    public double count() {
        return total.sum();
    }

    StepReadings.CounterReading takeStep() {
        double now = total.sum();
        double count = now - taken;
        taken = now;
        return new StepReadings.CounterReading(count, now);
    }

}
