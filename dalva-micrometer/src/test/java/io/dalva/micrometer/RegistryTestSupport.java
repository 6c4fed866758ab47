package io.dalva.micrometer;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.RecordedRequest;
import io.micrometer.core.instrument.MockClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import io.dalva.run.DalvaRun;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the registry tests share: one {@link DalvaTestServer} per test class, registries
 * on a {@link MockClock} closed after each test, and readers of what the server stored.
 */
abstract class RegistryTestSupport {

    static DalvaTestServer server;

    final MockClock clock = new MockClock();

    private final List<DalvaMeterRegistry> registries = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeRegistries() {
        registries.forEach(DalvaMeterRegistry::close);
    }

    DalvaMeterRegistry registry(StepMode mode) {
        return registry(mode, Map.of());
    }

    DalvaMeterRegistry registry(StepMode mode, Map<String, String> extra) {
        return registry(DalvaMeterRegistry.builder(config(mode, extra)).clock(clock));
    }

    DalvaMeterRegistry registry(DalvaMeterRegistry.Builder builder) {
        DalvaMeterRegistry registry = builder.build();
        registries.add(registry);
        return registry;
    }

    static DalvaConfig config(StepMode mode, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("dalva.serverUrl", server.url());
        props.put("dalva.project", "registry-tests");
        props.put("dalva.metrics.export.stepMode", mode.name());
        // the scheduler never fires during a test: tests publish through publish()/step()
        props.put("dalva.metrics.export.step", "1h");
        props.putAll(extra);
        return props::get;
    }

    static List<Thread> publisherThreads() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(t -> t.getName().startsWith("dalva-metrics-publisher") && t.isAlive())
            .collect(Collectors.toList());
    }

    /**
     * Waits until everything the registry logged is stored (steps return before that),
     * and returns its run's database id.
     */
    static long delivered(DalvaMeterRegistry registry) {
        DalvaRun run = registry.run();
        assertThat(run).as("the registry's run").isNotNull();
        assertThat(run.flush(Duration.ofSeconds(30))).as("everything delivered").isTrue();
        return run.id();
    }

    /**
     * Waits until the registry's run exists on the server and its next step number is
     * known (a resumed run reads its highest step in the background).
     */
    static DalvaRun awaitOpen(DalvaMeterRegistry registry) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(registry.run() != null && registry.run().awaitCreated(Duration.ofMillis(100))
                && registry.stepsNumbered()) && System.nanoTime() < deadline) {
            registry.step(); // learns the number when it can, publishes nothing until
                             // then
        }
        assertThat(registry.stepsNumbered()).as("the registry's step numbers").isTrue();
        return registry.run();
    }

    static SortedMap<Integer, Object> series(long run, String path) {
        return new TreeMap<>(server.series(run, path));
    }

    static List<RecordedRequest> logRequests(long run) {
        return server.requests()
            .stream()
            .filter(r -> r.path().equals("/api/runs/" + run + "/log")
                    || r.path().equals("/api/runs/" + run + "/log/batch"))
            .collect(Collectors.toList());
    }

    static List<RecordedRequest> requestsWithStatus(long run, int status) {
        return server.requests()
            .stream()
            .filter(r -> r.path().startsWith("/api/runs/" + run + "/") && r.status() == status)
            .collect(Collectors.toList());
    }

}
