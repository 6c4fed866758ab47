package io.dalva.micrometer;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.entry;

/**
 * Start, schedule, close and failures: the final step is published exactly once, the run
 * finished, and nothing is ever thrown into the application. The registry writes to a
 * real {@link io.dalva.test.DalvaTestServer} over loopback, time from a
 * {@link io.micrometer.core.instrument.MockClock}.
 */
class RegistryLifecycleTest extends RegistryTestSupport {

    @Test
    void closePublishesTheLastPartialStepExactlyOnceThenFinishesTheRun() {
        DalvaMeterRegistry registry = registry(StepMode.TIMED);
        Counter counter = registry.counter("requests");
        counter.increment(2);
        registry.publish();
        counter.increment(5);
        clock.add(Duration.ofSeconds(7));
        registry.publish();
        // the last partial step: no step boundary was crossed on the clock, it is
        // published anyway
        counter.increment(1);
        clock.add(Duration.ofSeconds(3));
        long run = delivered(registry);
        registry.close();
        registry.close();
        registry.publish();

        assertThat(series(run, "requests/count")).containsExactly(entry(0, 2.0), entry(1, 5.0), entry(2, 1.0));
        assertThat(server.run(run)).map(StoredRun::state).contains("completed");
        assertThat(requestsWithStatus(run, 409)).isEmpty();
    }

    @Test
    void timedModePublishesOnItsOwnDaemonThreadWhichCloseStops() throws Exception {
        DalvaMeterRegistry registry = registry(StepMode.TIMED, Map.of("dalva.metrics.export.step", "50ms"));
        Counter counter = registry.counter("ticks");
        long run = delivered(registry);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int increments = 0;
        while (server.series(run, "ticks/count").size() < 3 && System.nanoTime() < deadline) {
            counter.increment();
            increments++;
            Thread.sleep(2);
        }
        assertThat(publisherThreads()).isNotEmpty().allMatch(Thread::isDaemon);
        registry.close();

        SortedMap<Integer, Object> steps = series(run, "ticks/count");
        assertThat(steps.keySet())
            .containsExactlyElementsOf(IntStream.range(0, steps.size()).boxed().collect(Collectors.toList()));
        assertThat(steps.values().stream().mapToDouble(v -> (Double) v).sum()).isEqualTo(increments);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!publisherThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(publisherThreads()).isEmpty();
    }

    @Test
    void closeDuringAScheduledPublishWaitsForItAndThenPublishesTheRest() throws Exception {
        // micrometer#3846, #3711: a close racing a scheduled publish lost or mixed up
        // data
        DalvaMeterRegistry registry = registry(StepMode.TIMED, Map.of("dalva.metrics.export.step", "50ms"));
        Counter counter = registry.counter("ticks");
        long run = delivered(registry);
        server.delayResponses(Duration.ofMillis(300));
        try {
            int increments = 0;
            // the first scheduled publish starts within 1.8 steps (90 ms) and then waits
            // 300 ms
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < until) {
                counter.increment();
                increments++;
                Thread.sleep(1);
            }
            // a scheduled step is now waiting for the slow server
            registry.close();

            SortedMap<Integer, Object> steps = series(run, "ticks/count");
            assertThat(steps).hasSizeGreaterThanOrEqualTo(2);
            assertThat(steps.keySet())
                .containsExactlyElementsOf(IntStream.range(0, steps.size()).boxed().collect(Collectors.toList()));
            assertThat(steps.values().stream().mapToDouble(v -> (Double) v).sum()).isEqualTo(increments);
            assertThat(requestsWithStatus(run, 409)).isEmpty();
        }
        finally {
            server.delayResponses(Duration.ZERO);
        }
    }

    @Test
    void closeInManualModePublishesTheActivityAfterTheLastStep() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Counter counter = registry.counter("c");
        counter.increment();
        registry.step();
        counter.increment(4);
        long run = delivered(registry);
        registry.close();

        assertThat(series(run, "c/count")).containsExactly(entry(0, 1.0), entry(1, 4.0));
        assertThat(server.run(run)).map(StoredRun::state).contains("completed");
    }

    @Test
    void failMarksTheRunFailedAfterTheFinalStep() {
        DalvaMeterRegistry registry = registry(StepMode.TIMED);
        registry.counter("c").increment();
        long run = delivered(registry);
        registry.fail(new IllegalStateException("boom"));

        assertThat(series(run, "c/count")).containsExactly(entry(0, 1.0));
        assertThat(server.run(run)).map(StoredRun::state).contains("failed");
    }

    @Test
    void publishingNeverThrowsIntoTheApplication() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        Counter counter = registry.counter("c");
        long run = delivered(registry);
        server.failNext(1, 500, ".*/log.*");
        counter.increment();
        assertThatCode(registry::step).doesNotThrowAnyException();
        counter.increment(2);
        registry.step();
        delivered(registry);

        // the failed step keeps its number (Dalva steps never repeat); delivery retries
        // it, and the next one lands
        assertThat(series(run, "c/count")).containsExactly(entry(0, 1.0), entry(1, 2.0));
    }

    @Test
    void aServerThatIsDownAtStartGetsEveryStepFromTheSpoolWhenItComesUp() {
        DalvaTestServer late = DalvaTestServer.start();
        late.stop();
        try {
            DalvaMeterRegistry registry = registry(DalvaMeterRegistry
                .builder(config(StepMode.MANUAL, Map.of("dalva.serverUrl", late.url(), "dalva.connectTimeout", "1s")))
                .clock(clock));
            // the run starts at once; the server creates it when it answers
            assertThat(registry.run()).isNotNull();
            assertThat(registry.run().runId()).isNull();
            Counter counter = registry.counter("c");
            counter.increment(2);
            assertThatCode(registry::step).doesNotThrowAnyException();
            assertThat(registry.run().deliveryStatus().undeliveredValues()).isEqualTo(2);
            late.restart();
            counter.increment(3);
            registry.step();

            long run = delivered(registry);
            assertThat(late.series(run, "c/count")).containsExactly(entry(0, 2.0), entry(1, 3.0));
            assertThat(late.series(run, "c/total")).containsExactly(entry(0, 2.0), entry(1, 5.0));
        }
        finally {
            late.close();
        }
    }

    @Test
    void headersAndTimeoutsReachTheRegistrysOwnClient() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL,
                Map.of("dalva.headers", "X-Proxy-Token=abc,X-Team=ml", "dalva.callTimeout", "20s"));
        registry.counter("requests").increment();
        registry.step();
        long run = delivered(registry);

        assertThat(logRequests(run)).isNotEmpty().allSatisfy(request -> {
            assertThat(request.header("X-Proxy-Token")).isEqualTo("abc");
            assertThat(request.header("X-Team")).isEqualTo("ml");
        });
    }

    @Test
    void aDisabledRegistryOpensNoRun() {
        int before = server.runs().size();
        DalvaMeterRegistry registry = registry(StepMode.TIMED, Map.of("dalva.metrics.export.enabled", "false"));
        registry.counter("c").increment();
        registry.step();
        registry.close();

        assertThat(registry.run()).isNull();
        assertThat(server.runs()).hasSize(before);
    }

}
