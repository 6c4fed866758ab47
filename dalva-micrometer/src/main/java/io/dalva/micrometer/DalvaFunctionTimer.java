package io.dalva.micrometer;

import io.micrometer.core.instrument.AbstractMeter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.util.TimeUtils;

import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * A function timer whose steps are the growth of its count and total time between two
 * Dalva steps (a decrease is taken as a restart, as in {@link DalvaFunctionCounter}).
 */
final class DalvaFunctionTimer<T> extends AbstractMeter implements FunctionTimer {

    private final WeakReference<T> ref;

    private final ToLongFunction<T> countFunction;

    private final ToDoubleFunction<T> totalTimeFunction;

    private final TimeUnit totalTimeFunctionUnit;

    private final TimeUnit baseTimeUnit;

    /**
     * Readings at the previous step; read and written only under the registry's step
     * lock.
     */
    private double takenCount;

    private double takenTotal;

    DalvaFunctionTimer(Id id, T obj, ToLongFunction<T> countFunction, ToDoubleFunction<T> totalTimeFunction,
            TimeUnit totalTimeFunctionUnit, TimeUnit baseTimeUnit) {
        super(id);
        this.ref = new WeakReference<>(obj);
        this.countFunction = countFunction;
        this.totalTimeFunction = totalTimeFunction;
        this.totalTimeFunctionUnit = totalTimeFunctionUnit;
        this.baseTimeUnit = baseTimeUnit;
    }

    @Override
    public double count() {
        T obj = ref.get();
        return obj == null ? Double.NaN : countFunction.applyAsLong(obj);
    }

    @Override
    public double totalTime(TimeUnit unit) {
        T obj = ref.get();
        return obj == null ? Double.NaN
                : TimeUtils.convert(totalTimeFunction.applyAsDouble(obj), totalTimeFunctionUnit, unit);
    }

    @Override
    public TimeUnit baseTimeUnit() {
        return baseTimeUnit;
    }

    StepReadings.FunctionTimerReading takeStep() {
        double count = count();
        double total = totalTime(baseTimeUnit);
        if (!Double.isFinite(count) || !Double.isFinite(total)) {
            return new StepReadings.FunctionTimerReading(Double.NaN, Double.NaN);
        }
        boolean restarted = count < takenCount || total < takenTotal;
        StepReadings.FunctionTimerReading reading = restarted ? new StepReadings.FunctionTimerReading(count, total)
                : new StepReadings.FunctionTimerReading(count - takenCount, total - takenTotal);
        takenCount = count;
        takenTotal = total;
        return reading;
    }

}
