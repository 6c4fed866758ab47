package io.dalva.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.TimeWindowPercentileHistogram;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.core.instrument.util.TimeUtils;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Step percentiles ({@link PercentileWindow#STEP}): each step's percentiles are the
 * nearest-rank values of exactly that step's recordings, within the stated 1/128;
 * Micrometer's {@code takeSnapshot()} keeps working without disturbing the step; the
 * {@link PercentileWindow#WINDOW} mode publishes Micrometer's time-window values
 * unchanged.
 */
class StepPercentilesTest {

    private static final double[] PERCENTILES = { 0.5, 0, 0.9, 0.95, 0.99, 0.999, 1 };

    /** The stated bound, plus room for the unit conversion's rounding. */
    private static final double ERROR = 1.0 / 128 + 1e-12;

    private final MockClock clock = new MockClock();

    private final MeterFields fields = new MeterFields(TimeUnit.SECONDS);

    private final Random random = new Random(42);

    @Test
    void bucketMidpointIsWithinOneIn128OfEveryValue() {
        long[] rank = { 1 };
        double[] found = new double[1];
        for (int i = 0; i < 200_000; i++) {
            double value = (i % 2 == 0) ? Math.pow(10, random.nextDouble() * 600 - 300)
                    : (double) (1 + random.nextInt(Integer.MAX_VALUE));
            // one store per value: a drain reads every power of two seen so far
            LogLinearBuckets buckets = new LogLinearBuckets();
            buckets.record(value);
            assertThat(buckets.drain(rank, found)).isEqualTo(1);
            assertThat(Math.abs(found[0] - value) / value).as("%s", value).isLessThanOrEqualTo(1.0 / 128);
        }
        LogLinearBuckets buckets = new LogLinearBuckets();
        buckets.record(0.0);
        buckets.record(Double.MIN_VALUE);
        assertThat(buckets.drain(new long[] { 1, 2 }, new double[2])).isEqualTo(2);
        assertThat(buckets.count()).isZero();
    }

    @Test
    void countersAreAllocatedOnlyForThePowersOfTwoRecorded() {
        LogLinearBuckets buckets = new LogLinearBuckets();
        assertThat(buckets.powersOfTwo()).isZero();
        // 1 ms to 1 s in nanoseconds: 2^19 to 2^29, eleven powers of two of 64 counters
        for (int i = 0; i < 100_000; i++) {
            buckets.record((long) Math.pow(10, 6 + 3 * random.nextDouble()));
        }
        buckets.record(1_000_000);
        buckets.record(1_000_000_000);
        assertThat(buckets.powersOfTwo()).isEqualTo(11);
        buckets.record(0);
        assertThat(buckets.powersOfTwo()).isEqualTo(11);
        assertThat(buckets.count()).isEqualTo(100_003);
    }

    @Test
    void stepPercentilesAreTheNearestRankValuesOfTheStep() {
        DalvaTimer timer = timer(PercentileWindow.STEP);
        // one distribution per step: each step's percentiles cover that step alone
        assertStep(timer, () -> 1_000_000 + random.nextInt(999_000_000), 5_000);
        assertStep(timer, () -> (long) (1 + 50_000_000 * -Math.log(1 - random.nextDouble())), 20_000);
        assertStep(timer, () -> 42_000_000, 1_000);
        assertStep(timer, () -> random.nextBoolean() ? 2_000_000 + random.nextInt(100_000)
                : 3_000_000_000L + random.nextInt(50_000_000), 10_000);
        assertStep(timer, () -> 7_000_000, 1);
        assertStep(timer, () -> 1 + random.nextInt(1_000), 3);
    }

    @Test
    void summaryStepPercentilesInItsOwnUnit() {
        DalvaDistributionSummary summary = new DalvaDistributionSummary(id("bytes", Meter.Type.DISTRIBUTION_SUMMARY),
                clock, config(), 1.0, PercentileWindow.STEP);
        for (int step = 0; step < 3; step++) {
            double[] recorded = new double[2_000 + step * 1_000];
            for (int i = 0; i < recorded.length; i++) {
                recorded[i] = Math.pow(10, random.nextDouble() * 8 - 3);
                summary.record(recorded[i]);
            }
            assertPercentiles(take(summary), recorded);
        }
    }

    @Test
    void anIdleStepWritesZeroPercentilesLikeItsMeanAndMax() {
        DalvaTimer timer = timer(PercentileWindow.STEP);
        timer.record(Duration.ofMillis(30));
        assertThat(take(timer).get("p50")).isCloseTo(0.03, within(0.03 * ERROR));
        Map<String, Double> idle = take(timer);
        assertThat(idle).containsKeys("p0", "p50", "p90", "p95", "p99", "p99.9", "p100");
        for (double percentile : PERCENTILES) {
            assertThat(idle.get(MeterFields.percentileField(percentile))).isZero();
        }
        assertThat(idle.get("count")).isZero();
        assertThat(idle.get("mean")).isZero();
        assertThat(idle.get("max")).isZero();
    }

    @Test
    void takeSnapshotReadsTheStepInProgressWithoutDisturbingIt() {
        DalvaTimer observed = timer(PercentileWindow.STEP);
        DalvaTimer untouched = timer(PercentileWindow.STEP);
        for (int i = 1; i <= 1_000; i++) {
            observed.record(i, TimeUnit.MILLISECONDS);
            untouched.record(i, TimeUnit.MILLISECONDS);
            if (i % 100 == 0) {
                observed.takeSnapshot();
            }
        }
        HistogramSnapshot snapshot = observed.takeSnapshot();
        assertThat(snapshot.count()).isEqualTo(1_000);
        assertThat(percentile(snapshot, 0.5)).isCloseTo(500, within(500 * ERROR));
        assertThat(percentile(snapshot, 0.99)).isCloseTo(990, within(990 * ERROR));

        assertThat(take(observed)).isEqualTo(take(untouched));

        // after the step: nothing in progress, then only the new recordings
        assertThat(percentile(observed.takeSnapshot(), 0.5)).isZero();
        observed.record(Duration.ofSeconds(3));
        assertThat(percentile(observed.takeSnapshot(), 1)).isCloseTo(3_000, within(3_000 * ERROR));
        assertThat(take(observed).get("p100")).isEqualTo(3.0);
    }

    @Test
    void serviceLevelObjectivesAndPercentileHistogramsStayMicrometers() {
        DalvaTimer timer = new DalvaTimer(id("latency", Meter.Type.TIMER), clock,
                DistributionStatisticConfig.builder()
                    .percentiles(0.5)
                    .percentilesHistogram(true)
                    .serviceLevelObjectives(Duration.ofMillis(10).toNanos(), Duration.ofMillis(100).toNanos())
                    .expiry(Duration.ofMinutes(1))
                    .build()
                    .merge(DistributionStatisticConfig.DEFAULT),
                new NoPauseDetector(), TimeUnit.SECONDS, PercentileWindow.STEP);
        for (int millis : new int[] { 5, 20, 30, 200 }) {
            timer.record(millis, TimeUnit.MILLISECONDS);
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        assertThat(countAt(snapshot, Duration.ofMillis(10))).isEqualTo(1);
        assertThat(countAt(snapshot, Duration.ofMillis(100))).isEqualTo(3);
        assertThat(percentile(snapshot, 0.5)).isCloseTo(20, within(20 * ERROR));
        Map<String, Double> step = take(timer);
        assertThat(step).containsOnlyKeys("count", "sum", "mean", "max", "le_0.01", "le_0.1", "p50");
        assertThat(step.get("le_0.1")).isEqualTo(3.0);
        assertThat(step.get("p50")).isCloseTo(0.02, within(0.02 * ERROR));
        assertThat(countAt(timer.takeSnapshot(), Duration.ofMillis(100))).isEqualTo(3);
    }

    @Test
    void windowModePublishesMicrometersTimeWindowValues() {
        DalvaTimer timer = timer(PercentileWindow.WINDOW);
        TimeWindowPercentileHistogram reference = new TimeWindowPercentileHistogram(clock, config(), false);
        for (int step = 0; step < 4; step++) {
            for (int i = 0; i < 500; i++) {
                long nanos = 1_000_000L * (1 + random.nextInt(1_000 * (step + 1)));
                timer.record(nanos, TimeUnit.NANOSECONDS);
                reference.recordLong(nanos);
            }
            Map<String, Double> published = take(timer);
            ValueAtPercentile[] expected = reference.takeSnapshot(0, 0, 0).percentileValues();
            assertThat(expected).hasSize(PERCENTILES.length);
            for (ValueAtPercentile value : expected) {
                assertThat(published.get(MeterFields.percentileField(value.percentile())))
                    .isEqualTo(value.value(TimeUnit.SECONDS));
            }
            clock.add(Duration.ofSeconds(25));
        }
    }

    @Test
    void everyRecordingIsInExactlyOneStepWhileThreadsRecord() throws InterruptedException {
        DalvaTimer timer = timer(PercentileWindow.STEP);
        LogLinearBuckets buckets = new LogLinearBuckets();
        int threads = 4;
        int perThread = 200_000;
        CountDownLatch done = new CountDownLatch(threads);
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            recorders.add(new Thread(() -> {
                Random local = new Random(seed);
                try {
                    for (int i = 0; i < perThread; i++) {
                        long nanos = 1_000 + local.nextInt(1_000_000_000);
                        timer.record(nanos, TimeUnit.NANOSECONDS);
                        buckets.record(nanos);
                    }
                }
                catch (Throwable ex) {
                    failed.set(true);
                }
                finally {
                    done.countDown();
                }
            }));
        }
        recorders.forEach(Thread::start);
        long timerCount = 0;
        long bucketCount = 0;
        int steps = 0;
        long[] ranks = { 1 };
        double[] found = new double[1];
        while (done.getCount() > 0 || steps == 0) {
            Map<String, Double> step = take(timer);
            timerCount += step.get("count").longValue();
            for (double percentile : PERCENTILES) {
                double value = step.get(MeterFields.percentileField(percentile));
                assertThat(value).isBetween(0.0, step.get("max"));
            }
            bucketCount += buckets.drain(ranks, found);
            steps++;
        }
        done.await();
        timerCount += take(timer).get("count").longValue();
        bucketCount += buckets.drain(ranks, found);
        assertThat(failed).isFalse();
        assertThat(steps).isGreaterThan(1);
        assertThat(timerCount).isEqualTo((long) threads * perThread);
        assertThat(bucketCount).isEqualTo((long) threads * perThread);
    }

    private void assertStep(DalvaTimer timer, LongSupplier nanos, int count) {
        double[] recorded = new double[count];
        for (int i = 0; i < count; i++) {
            long value = nanos.getAsLong();
            timer.record(value, TimeUnit.NANOSECONDS);
            recorded[i] = TimeUtils.nanosToUnit(value, TimeUnit.SECONDS);
        }
        assertPercentiles(take(timer), recorded);
    }

    private static void assertPercentiles(Map<String, Double> step, double[] recorded) {
        double[] sorted = recorded.clone();
        Arrays.sort(sorted);
        assertThat(step.get("count")).isEqualTo(sorted.length);
        for (double percentile : PERCENTILES) {
            double exact = sorted[nearestRank(percentile, sorted.length) - 1];
            assertThat(step.get(MeterFields.percentileField(percentile))).as("p%s of %s", percentile, sorted.length)
                .isCloseTo(exact, within(exact * ERROR));
        }
        assertThat(step.get("p100")).isEqualTo(sorted[sorted.length - 1]);
    }

    /** The 1-based rank of percentile {@code q} of {@code n} values, in decimal. */
    private static int nearestRank(double q, int n) {
        int rank = new BigDecimal(Double.toString(q)).multiply(BigDecimal.valueOf(n))
            .setScale(0, RoundingMode.CEILING)
            .intValueExact();
        return Math.max(1, rank);
    }

    private static double percentile(HistogramSnapshot snapshot, double percentile) {
        for (ValueAtPercentile value : snapshot.percentileValues()) {
            if (value.percentile() == percentile) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        throw new AssertionError("no percentile " + percentile);
    }

    private static double countAt(HistogramSnapshot snapshot, Duration bound) {
        for (CountAtBucket bucket : snapshot.histogramCounts()) {
            if (bucket.bucket() == bound.toNanos()) {
                return bucket.count();
            }
        }
        throw new AssertionError("no bucket " + bound);
    }

    private DalvaTimer timer(PercentileWindow window) {
        return new DalvaTimer(id("latency", Meter.Type.TIMER), clock, config(), new NoPauseDetector(), TimeUnit.SECONDS,
                window);
    }

    private static DistributionStatisticConfig config() {
        return DistributionStatisticConfig.builder()
            .percentiles(PERCENTILES)
            .expiry(Duration.ofMinutes(1))
            .build()
            .merge(DistributionStatisticConfig.DEFAULT);
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
