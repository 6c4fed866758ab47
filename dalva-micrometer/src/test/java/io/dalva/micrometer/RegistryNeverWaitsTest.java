package io.dalva.micrometer;

import io.dalva.run.DalvaRun;
import io.dalva.run.MetricsBuffer;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MockClock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: a step returns once the run's journal holds it, whatever the server does; the
 * steps arrive later, each exactly once. (The {@code @Timeout}s only stop a test that
 * would hang if a step waited for the server.)
 */
class RegistryNeverWaitsTest {

    @TempDir
    Path spool;

    DalvaTestServer server;

    final MockClock clock = new MockClock();

    final List<DalvaMeterRegistry> registries = new ArrayList<>();

    @RegisterExtension
    final DalvaTestServerExtension dalva = DalvaTestServerExtension.perTest();

    @BeforeEach
    void useServer(DalvaTestServer server) {
        this.server = server;
    }

    @AfterEach
    void stop() { // before the extension closes the server
        registries.forEach(DalvaMeterRegistry::close);
    }

    DalvaMeterRegistry registry(StepMode mode) {
        Map<String, String> props = new HashMap<>();
        props.put("dalva.serverUrl", server.url());
        props.put("dalva.project", "never-waits");
        props.put("dalva.spoolDirectory", spool.toString());
        props.put("dalva.metrics.export.stepMode", mode.name());
        props.put("dalva.metrics.export.step", "1h");
        props.put("dalva.connectTimeout", "300ms");
        props.put("dalva.shutdownTimeout", "30s");
        DalvaConfig config = props::get;
        DalvaMeterRegistry registry = DalvaMeterRegistry.builder(config).clock(clock).build();
        registries.add(registry);
        return registry;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manualStepsReturnWhileTheServerIsSlowAndArriveLaterExactlyOnce() {
        server.writeLatencyPerValue(Duration.ofMillis(5));
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        List<Counter> counters = IntStream.range(0, 50)
            .mapToObj(i -> registry.counter("items", "worker", String.valueOf(i)))
            .toList();
        for (int epoch = 0; epoch < 10; epoch++) {
            for (Counter counter : counters) {
                counter.increment(epoch + 1);
            }
            registry.step(epoch);
        }
        // ten steps of 100 values take the server 5 s: they wait in the journal
        assertThat(registry.run().deliveryStatus().undeliveredValues()).isGreaterThan(100);

        DalvaRun run = registry.run();
        assertThat(run.flush(Duration.ofSeconds(45))).isTrue();
        long id = run.id();
        for (int worker = 0; worker < 50; worker++) {
            assertThat(server.series(id, "items/worker=" + worker + "/count")).hasSize(10)
                .containsEntry(0, 1.0)
                .containsEntry(9, 10.0);
        }
        assertThat(server.storedValueCount(id)).isEqualTo(10 * 100);
        assertThat(server.requests()).noneMatch(request -> request.status() == 500 || request.status() == 409);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void timedPublishesWhileTheServerIsDownAreSpooledAndDeliveredWhenItReturns() {
        server.stop();
        DalvaMeterRegistry registry = registry(StepMode.TIMED);
        Counter counter = registry.counter("ticks");
        for (int step = 0; step < 3; step++) {
            counter.increment(step + 1);
            clock.add(Duration.ofHours(1));
            registry.publish();
        }
        DalvaRun run = registry.run();
        assertThat(run.runId()).isNull(); // not created yet: the server is down
        assertThat(run.deliveryStatus().undeliveredValues()).isEqualTo(3 * 2);

        server.restart();
        assertThat(run.flush(Duration.ofSeconds(30))).isTrue();
        long id = run.id();
        assertThat(server.series(id, "ticks/count")).containsExactly(Map.entry(0, 1.0), Map.entry(1, 2.0),
                Map.entry(2, 3.0));
        assertThat(server.series(id, "ticks/total")).containsEntry(2, 6.0).hasSize(3);
    }

    @Test
    void aServerFallingBehindIsSaidAtMostOncePerInterval() {
        server.stop();
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        registry.step(0); // opens the run (nothing to publish); the server is down
        DalvaRun run = registry.run();
        MetricsBuffer values = new MetricsBuffer();
        values.value(MetricsBuffer.key("v"), 1);
        DeliveryLag lag = new DeliveryLag(Duration.ZERO, Duration.ofHours(1));

        run.log(values, 1);
        run.log(values, 2);
        assertThat(lag.check(run, 2, 1)).as("two steps wait: not behind yet").isFalse();
        run.log(values, 3);
        assertThat(lag.check(run, 3, 1)).as("three steps wait").isTrue();
        run.log(values, 4);
        assertThat(lag.check(run, 4, 1)).as("said already within the interval").isFalse();
        assertThat(new DeliveryLag(Duration.ofHours(1), Duration.ZERO).check(run, 4, 1))
            .as("the oldest has not waited long enough")
            .isFalse();
    }

}
