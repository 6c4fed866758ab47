package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractMeter;
import io.micrometer.core.instrument.FunctionCounter;

import java.lang.ref.WeakReference;
import java.util.function.ToDoubleFunction;

/**
 * A function counter whose steps are the growth of the function's value between two Dalva
 * steps. A value that went down is taken as a restart of the underlying counter: the step
 * counts the new value.
 */
final class DalvaFunctionCounter<T> extends AbstractMeter implements FunctionCounter {

    private final WeakReference<T> ref;

    private final ToDoubleFunction<T> f;

    /**
     * Value at the previous step; read and written only under the registry's step lock.
     */
    private double taken;

    DalvaFunctionCounter(Id id, T obj, ToDoubleFunction<T> f) {
        super(id);
        this.ref = new WeakReference<>(obj);
        this.f = f;
    }

    @Override
    public double count() {
        T obj = ref.get();
        return obj == null ? Double.NaN : f.applyAsDouble(obj);
    }

    StepReadings.CounterReading takeStep() {
        double now = count();
        if (!Double.isFinite(now)) {
            return new StepReadings.CounterReading(Double.NaN, Double.NaN);
        }
        double count = now >= taken ? now - taken : now;
        taken = now;
        return new StepReadings.CounterReading(count, now);
    }

}
