package io.dalva.micrometer;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.core.instrument.internal.DefaultGauge;
import io.micrometer.core.instrument.internal.DefaultLongTaskTimer;
import io.micrometer.core.instrument.internal.DefaultMeter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class MeterFieldsTest {

    private final MockClock clock = new MockClock();

    private final MeterFields fields = new MeterFields(TimeUnit.SECONDS);

    @Test
    void counterCountsTheStepAndKeepsARunningTotal() {
        DalvaCounter counter = new DalvaCounter(id("c", Meter.Type.COUNTER));
        counter.increment(3);
        assertThat(take(counter)).containsExactly(entry("count", 3.0), entry("total", 3.0));
        assertThat(take(counter)).containsExactly(entry("count", 0.0), entry("total", 3.0));
        counter.increment();
        counter.increment(2);
        assertThat(take(counter)).containsExactly(entry("count", 3.0), entry("total", 6.0));
        assertThat(counter.count()).isEqualTo(6.0);
    }

    @Test
    void functionCounterCountsGrowthAndTreatsADropAsARestart() {
        AtomicLong source = new AtomicLong(10);
        DalvaFunctionCounter<AtomicLong> counter = new DalvaFunctionCounter<>(id("fc", Meter.Type.COUNTER), source,
                AtomicLong::doubleValue);
        assertThat(take(counter)).containsExactly(entry("count", 10.0), entry("total", 10.0));
        source.set(15);
        assertThat(take(counter)).containsExactly(entry("count", 5.0), entry("total", 15.0));
        source.set(4);
        assertThat(take(counter)).containsExactly(entry("count", 4.0), entry("total", 4.0));
    }

    @Test
    void gaugeIsItsValue() {
        DefaultGauge<AtomicLong> gauge = new DefaultGauge<>(id("g", Meter.Type.GAUGE), new AtomicLong(7),
                AtomicLong::doubleValue);
        assertThat(take(gauge)).containsExactly(entry("value", 7.0));
    }

    @Test
    void timerStepsInTheBaseTimeUnit() {
        DalvaTimer timer = timer(DistributionStatisticConfig.DEFAULT);
        timer.record(Duration.ofMillis(100));
        timer.record(Duration.ofMillis(300));
        assertThat(take(timer)).containsExactly(entry("count", 2.0), entry("sum", 0.4), entry("mean", 0.2),
                entry("max", 0.3));
        assertThat(take(timer)).containsExactly(entry("count", 0.0), entry("sum", 0.0), entry("mean", 0.0),
                entry("max", 0.0));
        timer.record(Duration.ofSeconds(2));
        assertThat(take(timer)).containsExactly(entry("count", 1.0), entry("sum", 2.0), entry("mean", 2.0),
                entry("max", 2.0));
        assertThat(timer.count()).isEqualTo(3);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2400.0);
    }

    @Test
    void timerPercentilesAndServiceLevelObjectiveBuckets() {
        DalvaTimer timer = timer(DistributionStatisticConfig.builder()
            .percentiles(0.5, 0.999)
            .serviceLevelObjectives(Duration.ofMillis(100).toNanos(), Duration.ofSeconds(1).toNanos())
            .build());
        timer.record(Duration.ofMillis(50));
        timer.record(Duration.ofMillis(100));
        timer.record(Duration.ofMillis(700));
        timer.record(Duration.ofSeconds(5));
        Map<String, Double> step = take(timer);
        assertThat(step).containsOnlyKeys("count", "sum", "mean", "max", "le_0.1", "le_1", "p50", "p99.9");
        assertThat(step).contains(entry("count", 4.0), entry("le_0.1", 2.0), entry("le_1", 3.0));
        assertThat(step.get("p50")).isBetween(0.09, 0.11);
        assertThat(step.get("p99.9")).isBetween(4.9, 5.1);
        timer.record(Duration.ofMillis(20));
        assertThat(take(timer)).contains(entry("count", 1.0), entry("le_0.1", 1.0), entry("le_1", 1.0));
    }

    @Test
    void summaryStepsAndBuckets() {
        DalvaDistributionSummary summary = new DalvaDistributionSummary(id("s", Meter.Type.DISTRIBUTION_SUMMARY), clock,
                DistributionStatisticConfig.builder()
                    .serviceLevelObjectives(10.0)
                    .build()
                    .merge(DistributionStatisticConfig.DEFAULT),
                2.0, PercentileWindow.STEP);
        summary.record(1.5);
        summary.record(8);
        assertThat(take(summary)).containsExactly(entry("count", 2.0), entry("sum", 19.0), entry("mean", 9.5),
                entry("max", 16.0), entry("le_10", 1.0));
    }

    @Test
    void longTaskTimerActiveDurationMax() {
        DefaultLongTaskTimer timer = new DefaultLongTaskTimer(id("ltt", Meter.Type.LONG_TASK_TIMER), clock,
                TimeUnit.SECONDS, DistributionStatisticConfig.DEFAULT, false);
        timer.start();
        clock.add(Duration.ofSeconds(3));
        timer.start();
        clock.add(Duration.ofSeconds(1));
        assertThat(take(timer)).containsExactly(entry("active", 2.0), entry("duration", 5.0), entry("max", 4.0));
    }

    @Test
    void functionTimerStepsCountSumMean() {
        long[] state = { 4, 2000 };
        DalvaFunctionTimer<long[]> timer = new DalvaFunctionTimer<>(id("ft", Meter.Type.TIMER), state, s -> s[0],
                s -> s[1], TimeUnit.MILLISECONDS, TimeUnit.SECONDS);
        assertThat(take(timer)).containsExactly(entry("count", 4.0), entry("sum", 2.0), entry("mean", 0.5));
        state[0] = 5;
        state[1] = 3000;
        assertThat(take(timer)).containsExactly(entry("count", 1.0), entry("sum", 1.0), entry("mean", 1.0));
    }

    @Test
    void otherMetersGetOneFieldPerStatistic() {
        Meter meter = new DefaultMeter(id("custom", Meter.Type.OTHER), Meter.Type.OTHER,
                List.of(new Measurement(() -> 1.0, Statistic.TOTAL_TIME), new Measurement(() -> 2.0, Statistic.VALUE),
                        new Measurement(() -> 3.0, Statistic.VALUE),
                        new Measurement(() -> 4.0, Statistic.ACTIVE_TASKS)));
        assertThat(take(meter)).containsExactly(entry("total_time", 1.0), entry("value", 2.0), entry("value_2", 3.0),
                entry("active_tasks", 4.0));
    }

    @Test
    void fieldNames() {
        assertThat(MeterFields.percentileField(0.95)).isEqualTo("p95");
        assertThat(MeterFields.percentileField(0.5)).isEqualTo("p50");
        assertThat(MeterFields.percentileField(0.999)).isEqualTo("p99.9");
        assertThat(MeterFields.statisticField(Statistic.ACTIVE_TASKS)).isEqualTo("active_tasks");
    }

    private DalvaTimer timer(DistributionStatisticConfig config) {
        return new DalvaTimer(id("t", Meter.Type.TIMER), clock,
                config.merge(DistributionStatisticConfig.builder().expiry(Duration.ofMinutes(1)).build())
                    .merge(DistributionStatisticConfig.DEFAULT),
                new NoPauseDetector(), TimeUnit.SECONDS, PercentileWindow.STEP);
    }

    private Map<String, Double> take(Meter meter) {
        Map<String, Double> step = new LinkedHashMap<>();
        fields.write(meter, step::put);
        return step;
    }

    private static Meter.Id id(String name, Meter.Type type) {
        return new Meter.Id(name, Tags.empty(), null, null, type);
    }

}
