package io.dalva.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The same meters on every registry: {@code series} time series, a third each counters,
 * gauges and timers publishing the 50th and 99th percentiles, each series its own
 * {@code series=<i>} tag under three meter names (as one instrumented endpoint per tag
 * value would give). {@link #record()} gives every series fresh activity before a
 * publish.
 */
final class MeterSet {

    /**
     * Longer than any benchmark: the benchmarks move the clock one step per publish, and
     * a percentile window rotating at every publish would make every recording take
     * HdrHistogram's slow range-adjusting path, a cost of the setup that every registry
     * shares and that would drown the publish in the CPU and allocation figures.
     */
    private static final Duration PERCENTILE_WINDOW = Duration.ofDays(3650);

    private final List<Counter> counters = new ArrayList<>();

    private final List<Timer> timers = new ArrayList<>();

    private final double[] gaugeValues;

    private final MeterRegistry registry;

    private long round;

    MeterSet(MeterRegistry registry, int series) {
        this.registry = registry;
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
                .distributionStatisticExpiry(PERCENTILE_WINDOW)
                .distributionStatisticBufferLength(1)
                .register(registry));
        }
    }

    /**
     * What every registry does to read these meters in a publish, with nothing sent:
     * every measurement and every timer's percentile snapshot (which also starts new
     * percentile intervals that the next recordings pay for).
     * @return a sum of what was read, so that the reads cannot be optimized away
     */
    double readAll() {
        double sum = 0;
        for (Meter meter : registry.getMeters()) {
            if (meter instanceof Timer timer) {
                for (ValueAtPercentile percentile : timer.takeSnapshot().percentileValues()) {
                    sum += percentile.value();
                }
            }
            for (Measurement measurement : meter.measure()) {
                sum += measurement.getValue();
            }
        }
        return sum;
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
