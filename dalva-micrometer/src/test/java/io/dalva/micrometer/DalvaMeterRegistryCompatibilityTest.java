package io.dalva.micrometer;

import io.dalva.test.DalvaTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.tck.MeterRegistryCompatibilityKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Micrometer's compatibility kit, which every Micrometer registry passes, run against a
 * {@link DalvaMeterRegistry} in manual mode that writes to a real
 * {@link DalvaTestServer}; each registry is closed after its test, which publishes the
 * meters the test left behind as one final step.
 */
class DalvaMeterRegistryCompatibilityTest extends MeterRegistryCompatibilityKit {

    private static DalvaTestServer server;

    @BeforeAll
    static void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    public MeterRegistry registry() {
        Map<String, String> props = Map.of("dalva.serverUrl", server.url(), "dalva.project", "compatibility-kit",
                "dalva.metrics.export.stepMode", "manual", "dalva.metrics.export.step", step().toString());
        return DalvaMeterRegistry.builder(props::get).clock(new MockClock()).build();
    }

    @Override
    public Duration step() {
        return Duration.ofSeconds(10);
    }

    @AfterEach
    void closeRegistry() {
        registry.close();
        assertThat(registry.isClosed()).isTrue();
    }

}
