package io.dalva.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one place that decides which fields each meter type contributes to a Dalva step
 * (the README's mapping table). Step values ({@code count}, {@code sum}, {@code mean},
 * {@code max}, buckets) cover exactly the activity since the previous step; {@code total}
 * is a running total; gauges are read when the step is taken.
 * <table>
 * <caption>fields per meter type</caption>
 * <tr>
 * <td>Counter, FunctionCounter</td>
 * <td>count, total</td>
 * </tr>
 * <tr>
 * <td>Gauge, TimeGauge</td>
 * <td>value</td>
 * </tr>
 * <tr>
 * <td>Timer, DistributionSummary</td>
 * <td>count, sum, mean, max, p{percentile}, le_{bound}</td>
 * </tr>
 * <tr>
 * <td>LongTaskTimer</td>
 * <td>active, duration, max</td>
 * </tr>
 * <tr>
 * <td>FunctionTimer</td>
 * <td>count, sum, mean</td>
 * </tr>
 * <tr>
 * <td>other meters</td>
 * <td>one field per measurement statistic</td>
 * </tr>
 * </table>
 */
final class MeterFields {

    /** Receives the fields of one meter. */
    interface Sink {

        void field(String name, double value);

    }

    private final TimeUnit baseTimeUnit;

    MeterFields(TimeUnit baseTimeUnit) {
        this.baseTimeUnit = baseTimeUnit;
    }

    /**
     * Takes the meter's step and writes its fields.
     * @return whether the meter recorded anything since the previous step (gauges and
     * long task timers never count as activity)
     */
    boolean write(Meter meter, Sink sink) {
        return meter.match(gauge -> gauge(gauge, sink), counter -> counter(counter, sink), timer -> timer(timer, sink),
                summary -> summary(summary, sink), longTaskTimer -> longTaskTimer(longTaskTimer, sink),
                timeGauge -> timeGauge(timeGauge, sink), functionCounter -> functionCounter(functionCounter, sink),
                functionTimer -> functionTimer(functionTimer, sink), other -> measurements(other, sink));
    }

    private boolean gauge(Gauge gauge, Sink sink) {
        sink.field("value", gauge.value());
        return false;
    }

    private boolean timeGauge(TimeGauge gauge, Sink sink) {
        sink.field("value", gauge.value(baseTimeUnit));
        return false;
    }

    private boolean counter(Counter counter, Sink sink) {
        if (!(counter instanceof DalvaCounter)) {
            return measurements(counter, sink);
        }
        return counterReading(((DalvaCounter) counter).takeStep(), sink);
    }

    private boolean functionCounter(FunctionCounter counter, Sink sink) {
        if (!(counter instanceof DalvaFunctionCounter)) {
            return measurements(counter, sink);
        }
        return counterReading(((DalvaFunctionCounter<?>) counter).takeStep(), sink);
    }

    private static boolean counterReading(StepReadings.CounterReading reading, Sink sink) {
        sink.field("count", reading.count());
        sink.field("total", reading.total());
        return reading.count() != 0 && Double.isFinite(reading.count());
    }

    private boolean timer(Timer timer, Sink sink) {
        if (!(timer instanceof DalvaTimer)) {
            return measurements(timer, sink);
        }
        return distribution(((DalvaTimer) timer).takeStep(), sink);
    }

    private boolean summary(DistributionSummary summary, Sink sink) {
        if (!(summary instanceof DalvaDistributionSummary)) {
            return measurements(summary, sink);
        }
        return distribution(((DalvaDistributionSummary) summary).takeStep(), sink);
    }

    private static boolean distribution(StepReadings.DistributionReading reading, Sink sink) {
        sink.field("count", reading.count());
        sink.field("sum", reading.sum());
        sink.field("mean", reading.mean());
        sink.field("max", reading.max());
        for (int i = 0; i < reading.bucketFields().length; i++) {
            sink.field(reading.bucketFields()[i], reading.bucketCounts()[i]);
        }
        for (int i = 0; i < reading.percentileFields().length; i++) {
            sink.field(reading.percentileFields()[i], reading.percentileValues()[i]);
        }
        return reading.count() > 0;
    }

    private boolean longTaskTimer(LongTaskTimer timer, Sink sink) {
        sink.field("active", timer.activeTasks());
        sink.field("duration", timer.duration(baseTimeUnit));
        sink.field("max", timer.max(baseTimeUnit));
        return false;
    }

    private boolean functionTimer(FunctionTimer timer, Sink sink) {
        if (!(timer instanceof DalvaFunctionTimer)) {
            return measurements(timer, sink);
        }
        StepReadings.FunctionTimerReading reading = ((DalvaFunctionTimer<?>) timer).takeStep();
        sink.field("count", reading.count());
        sink.field("sum", reading.sum());
        sink.field("mean", reading.mean());
        return reading.count() != 0 && Double.isFinite(reading.count());
    }

    private static boolean measurements(Meter meter, Sink sink) {
        Set<String> used = new HashSet<>();
        for (Measurement measurement : meter.measure()) {
            String field = statisticField(measurement.getStatistic());
            String unique = field;
            for (int n = 2; !used.add(unique); n++) {
                unique = field + "_" + n;
            }
            sink.field(unique, measurement.getValue());
        }
        return false;
    }

    /** {@code 0.95} → {@code p95}, {@code 0.999} → {@code p99.9}. */
    static String percentileField(double percentile) {
        return "p" + BigDecimal.valueOf(percentile).movePointRight(2).stripTrailingZeros().toPlainString();
    }

    /** {@code 0.1} → {@code le_0.1}, {@code 1.0} → {@code le_1}. */
    static String bucketField(double bound) {
        return "le_" + plain(bound);
    }

    /** {@code TOTAL_TIME} → {@code total_time}. */
    static String statisticField(Statistic statistic) {
        return statistic.name().toLowerCase(Locale.ROOT);
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

}
