package io.dalva.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The same meters on every registry: {@code series} time series, a third each counters,
 * gauges and timers publishing the 50th and 99th percentiles, each series its own
 * {@code series=<i>} tag under three meter names (as one instrumented endpoint per tag value
 * would give). {@link #record()} gives every series fresh activity before a publish.
 */
final class MeterSet {

    private final List<Counter> counters = new ArrayList<>();

    private final List<Timer> timers = new ArrayList<>();

    private final double[] gaugeValues;

    private long round;

    MeterSet(MeterRegistry registry, int series) {
        int gauges = series / 3;
        int timerCount = series / 3;
        int counterCount = series - gauges - timerCount;
        gaugeValues = new double[gauges];
        for (int i = 0; i < counterCount; i++) {
            counters.add(Counter.builder("bench.requests").tag("series", Integer.toString(i)).register(registry));
        }
        for (int i = 0; i < gauges; i++) {
            int index = i;
            Gauge.builder("bench.queue.size", gaugeValues, values -> values[index])
                .tag("series", Integer.toString(i))
                .register(registry);
        }
        for (int i = 0; i < timerCount; i++) {
            timers.add(Timer.builder("bench.latency")
                .tag("series", Integer.toString(i))
                .publishPercentiles(0.5, 0.99)
                .register(registry));
        }
    }

    /** Records a few events on every counter and timer and moves every gauge. */
    void record() {
        round++;
        for (int i = 0; i < counters.size(); i++) {
            counters.get(i).increment(1 + (i + round) % 5);
        }
        for (int i = 0; i < gaugeValues.length; i++) {
            gaugeValues[i] = (i + round) % 100;
        }
        for (int i = 0; i < timers.size(); i++) {
            Timer timer = timers.get(i);
            for (int k = 1; k <= 3; k++) {
                timer.record(k * (1 + (i + round) % 50), TimeUnit.MILLISECONDS);
            }
        }
    }

}
