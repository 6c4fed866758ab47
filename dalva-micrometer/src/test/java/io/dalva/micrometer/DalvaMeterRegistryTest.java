package io.dalva.micrometer;

import io.dalva.run.DalvaRun;
import io.dalva.test.StoredRun;
import io.dalva.test.RecordedRequest;
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
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Steps: what the server stores is exactly what the meters recorded, step by step,
 * whatever the clock does. The registry writes to a real
 * {@link io.dalva.test.DalvaTestServer} over loopback, time from a
 * {@link io.micrometer.core.instrument.MockClock}.
 */
class DalvaMeterRegistryTest extends RegistryTestSupport {

    @Test
    void everyMeterTypeIsStoredExactlyAsFloatSeries() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Counter counter = registry.counter("samples", "split", "train");
        AtomicLong queue = registry.gauge("queue.size", new AtomicLong(4));
        TimeGauge.builder("uptime", clock, TimeUnit.MILLISECONDS, c -> c.wallTime() - 1).register(registry);
        Timer timer = Timer.builder("batch").serviceLevelObjectives(Duration.ofMillis(100)).register(registry);
        DistributionSummary summary = registry.summary("payload");
        LongTaskTimer longTask = registry.more().longTaskTimer("epoch.running");
        AtomicLong cumulative = new AtomicLong(10);
        FunctionCounter.builder("gc.count", cumulative, AtomicLong::doubleValue).register(registry);
        long[] timed = { 2, 500 };
        FunctionTimer.builder("cache.gets", timed, t -> t[0], t -> t[1], TimeUnit.MILLISECONDS).register(registry);
        Meter
            .builder("custom", Meter.Type.OTHER,
                    List.of(new Measurement(() -> 1.5, Statistic.TOTAL), new Measurement(() -> 2.5, Statistic.MAX)))
            .register(registry);

        counter.increment(3);
        timer.record(Duration.ofMillis(50));
        timer.record(Duration.ofMillis(250));
        summary.record(4);
        LongTaskTimer.Sample task = longTask.start();
        clock.add(Duration.ofSeconds(2));
        registry.step();

        counter.increment();
        queue.set(9);
        summary.record(6);
        summary.record(10);
        cumulative.set(16);
        timed[0] = 5;
        timed[1] = 2000;
        task.stop();
        clock.add(Duration.ofSeconds(1));
        registry.step();

        long run = delivered(registry);
        assertThat(series(run, "samples/split=train/count")).containsExactly(entry(0, 3.0), entry(1, 1.0));
        assertThat(series(run, "samples/split=train/total")).containsExactly(entry(0, 3.0), entry(1, 4.0));
        assertThat(series(run, "queue.size/value")).containsExactly(entry(0, 4.0), entry(1, 9.0));
        assertThat(series(run, "uptime/value")).containsExactly(entry(0, 2.0), entry(1, 3.0));
        assertThat(series(run, "batch/count")).containsExactly(entry(0, 2.0), entry(1, 0.0));
        assertThat(series(run, "batch/sum")).containsExactly(entry(0, 0.3), entry(1, 0.0));
        assertThat(series(run, "batch/mean")).containsExactly(entry(0, 0.15), entry(1, 0.0));
        assertThat(series(run, "batch/max")).containsExactly(entry(0, 0.25), entry(1, 0.0));
        assertThat(series(run, "batch/le_0.1")).containsExactly(entry(0, 1.0), entry(1, 0.0));
        assertThat(series(run, "payload/count")).containsExactly(entry(0, 1.0), entry(1, 2.0));
        assertThat(series(run, "payload/sum")).containsExactly(entry(0, 4.0), entry(1, 16.0));
        assertThat(series(run, "payload/mean")).containsExactly(entry(0, 4.0), entry(1, 8.0));
        assertThat(series(run, "payload/max")).containsExactly(entry(0, 4.0), entry(1, 10.0));
        assertThat(series(run, "epoch.running/active")).containsExactly(entry(0, 1.0), entry(1, 0.0));
        assertThat(series(run, "epoch.running/duration")).containsExactly(entry(0, 2.0), entry(1, 0.0));
        assertThat(series(run, "epoch.running/max")).containsExactly(entry(0, 2.0), entry(1, 0.0));
        assertThat(series(run, "gc.count/count")).containsExactly(entry(0, 10.0), entry(1, 6.0));
        assertThat(series(run, "gc.count/total")).containsExactly(entry(0, 10.0), entry(1, 16.0));
        assertThat(series(run, "cache.gets/count")).containsExactly(entry(0, 2.0), entry(1, 3.0));
        assertThat(series(run, "cache.gets/sum")).containsExactly(entry(0, 0.5), entry(1, 1.5));
        assertThat(series(run, "cache.gets/mean")).containsExactly(entry(0, 0.25), entry(1, 0.5));
        assertThat(series(run, "custom/total")).containsExactly(entry(0, 1.5), entry(1, 1.5));
        assertThat(series(run, "custom/max")).containsExactly(entry(0, 2.5), entry(1, 2.5));

        assertThat(server.paths(run)).hasSize(23);
        assertThat(server.paths(run)).allSatisfy(path -> {
            assertThat(server.attributeType(run, path)).as(path).isEqualTo("float_series");
            assertThat(server.series(run, path).keySet()).as(path).containsExactly(0, 1);
        });
    }

    @Test
    void theClockNeverMovesActivityBetweenSteps() {
        // Micrometer's step meters roll over with the clock, so values recorded just
        // before a
        // boundary are reported a step late or lost on close; here a step is exactly the
        // activity between two publishes, wherever the clock is.
        DalvaMeterRegistry registry = registry(StepMode.TIMED);
        Counter counter = registry.counter("events");
        Timer timer = registry.timer("work");
        Random random = new Random(42);
        List<Double> expectedCounts = new ArrayList<>();
        List<Double> expectedSums = new ArrayList<>();
        for (int step = 0; step < 12; step++) {
            int events = random.nextInt(20);
            long millis = 0;
            for (int i = 0; i < events; i++) {
                counter.increment();
                long duration = 1 + random.nextInt(500);
                timer.record(duration, TimeUnit.MILLISECONDS);
                millis += duration;
                clock.add(Duration.ofMillis(random.nextInt(4000)));
            }
            expectedCounts.add((double) events);
            expectedSums.add(millis / 1000.0);
            if (step < 11) {
                registry.publish();
            }
        }
        long run = delivered(registry);
        registry.close();

        assertThat(series(run, "events/count").values()).containsExactlyElementsOf(expectedCounts);
        assertThat(series(run, "work/count").values()).containsExactlyElementsOf(expectedCounts);
        List<Object> sums = new ArrayList<>(series(run, "work/sum").values());
        assertThat(sums).hasSameSizeAs(expectedSums);
        for (int i = 0; i < expectedSums.size(); i++) {
            assertThat((Double) sums.get(i)).isCloseTo(expectedSums.get(i), Offset.offset(1e-9));
        }
        assertThat(series(run, "events/total").get(11)).isEqualTo(counter.count());
    }

    @Test
    void manualStepsCoverExactlyTheActivitySinceThePreviousCall() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Counter samples = registry.counter("samples");
        AtomicLong lossBits = new AtomicLong();
        Gauge.builder("loss", lossBits, bits -> Double.longBitsToDouble(bits.get())).register(registry);
        for (int epoch = 1; epoch <= 5; epoch++) {
            samples.increment(100 * epoch);
            lossBits.set(Double.doubleToLongBits(1.0 / epoch));
            clock.add(Duration.ofMinutes(epoch));
            registry.step(epoch);
        }
        long run = delivered(registry);
        registry.close();

        // nothing recorded after the last step: close adds no step
        assertThat(series(run, "samples/count")).containsExactly(entry(1, 100.0), entry(2, 200.0), entry(3, 300.0),
                entry(4, 400.0), entry(5, 500.0));
        assertThat(series(run, "loss/value")).containsExactly(entry(1, 1.0), entry(2, 0.5), entry(3, 1.0 / 3),
                entry(4, 0.25), entry(5, 0.2));
    }

    @Test
    void aStepNumberThatDoesNotGrowIsRefusedAndItsActivityKeptForTheNextStep() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Counter counter = registry.counter("c");
        counter.increment();
        registry.step(5);
        counter.increment(2);
        registry.step(5);
        registry.step(-1);
        counter.increment(3);
        registry.step();
        long run = delivered(registry);
        registry.close();

        assertThat(series(run, "c/count")).containsExactly(entry(5, 1.0), entry(6, 5.0));
    }

    @Test
    void concurrentRecordingIsNeitherLostNorCountedTwice() throws Exception {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Counter counter = registry.counter("hits");
        Timer timer = registry.timer("latency");
        int threads = 2;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong recorded = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                long mine = 0;
                while (!stop.get()) {
                    counter.increment();
                    timer.record(1, TimeUnit.MILLISECONDS);
                    mine++;
                }
                recorded.addAndGet(mine);
                done.countDown();
            });
        }
        for (int step = 0; step < 10; step++) {
            registry.step();
        }
        stop.set(true);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        // on a loaded machine the pool may not have run since the last step: make the
        // final step non-empty
        counter.increment();
        timer.record(1, TimeUnit.MILLISECONDS);
        recorded.incrementAndGet();
        long run = delivered(registry);
        registry.close();

        double counted = series(run, "hits/count").values().stream().mapToDouble(v -> (Double) v).sum();
        double timed = series(run, "latency/count").values().stream().mapToDouble(v -> (Double) v).sum();
        assertThat(counted).isEqualTo(recorded.get());
        assertThat(timed).isEqualTo(recorded.get());
        assertThat(series(run, "hits/count")).hasSize(11);
    }

    @Test
    void aStepOfTwoThousandValuesIsSentOnceInRequestsSizedToTheServer() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        for (int i = 0; i < 1000; i++) {
            registry.counter("work.items", "worker", String.valueOf(i)).increment(i);
        }
        registry.step();
        long run = delivered(registry);

        // nothing sent twice: the request bodies hold the step's values exactly once
        assertThat(logRequests(run).stream().mapToInt(RecordedRequest::metricValues).sum()).isEqualTo(2000);
        assertThat(server.paths(run)).hasSize(2000);
        assertThat(series(run, "work.items/worker=999/count")).containsExactly(entry(0, 999.0));
        assertThat(server.storedValueCount(run)).isEqualTo(2000);
    }

    @Test
    void aStepLargerThanTheBatchSizeIsSplitAtTheSameStep() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL, Map.of("dalva.metrics.export.batchSize", "300"));
        for (int i = 0; i < 500; i++) {
            int value = i;
            Gauge.builder("g", () -> value).tag("i", String.valueOf(i)).register(registry);
        }
        registry.step();
        registry.step();
        long run = delivered(registry);

        assertThat(logRequests(run)).hasSize(4);
        assertThat(server.paths(run)).hasSize(500);
        assertThat(server.paths(run))
            .allSatisfy(path -> assertThat(server.series(run, path).keySet()).containsExactly(0, 1));
    }

    @Test
    void nonFiniteValuesAreSkippedAndCounted() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Gauge.builder("nan", () -> Double.NaN).register(registry);
        Gauge.builder("infinite", () -> Double.POSITIVE_INFINITY).register(registry);
        Gauge.builder("fine", () -> 1.0).register(registry);
        registry.step();
        registry.step();
        long run = delivered(registry);

        assertThat(server.paths(run)).containsExactly("fine/value");
        assertThat(registry.skippedValueCount()).isEqualTo(4);
    }

    @Test
    void aResumedRunContinuesAfterItsHighestStep() {
        DalvaMeterRegistry first = registry(StepMode.MANUAL);
        Counter counter = first.counter("c");
        for (int i = 0; i < 3; i++) {
            counter.increment();
            first.step();
        }
        long run = delivered(first);
        String runId = first.run().runId();
        first.close();

        DalvaMeterRegistry resumed = registry(StepMode.MANUAL, Map.of("dalva.run.resumeFrom", runId));
        assertThat(awaitOpen(resumed).id()).isEqualTo(run);
        resumed.counter("c").increment(7);
        resumed.step();
        resumed.counter("c").increment(8);
        resumed.close();

        assertThat(series(run, "c/count")).containsExactly(entry(0, 1.0), entry(1, 1.0), entry(2, 1.0), entry(3, 7.0),
                entry(4, 8.0));
        assertThat(server.run(run)).map(StoredRun::state).contains("completed");
    }

    @Test
    void aGivenRunIsWrittenAfterItsHighestStepAndLeftOpen() {
        try (DalvaRun run = DalvaRun.builder().project("registry-tests").serverUrl(server.url()).start()) {
            run.log(Map.of("own/loss", 0.5), 0);
            run.log(Map.of("own/loss", 0.25), 1);
            DalvaMeterRegistry registry = registry(
                    DalvaMeterRegistry.builder(config(StepMode.MANUAL, Map.of())).clock(clock).run(run));
            registry.counter("c").increment();
            registry.close();
            assertThat(run.flush(Duration.ofSeconds(10))).isTrue(); // a given run
                                                                    // delivers
                                                                    // asynchronously

            assertThat(series(run.id(), "c/count")).containsExactly(entry(2, 1.0));
            assertThat(server.run(run.id())).map(StoredRun::state).contains("running");
        }
    }

}
