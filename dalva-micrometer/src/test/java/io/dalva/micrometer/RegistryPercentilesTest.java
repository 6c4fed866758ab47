package io.dalva.micrometer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

/**
 * What the server stores for percentiles: by default each step's own recordings
 * ({@code dalva.metrics.export.percentiles=step}); with {@code window}, Micrometer's time
 * window, which still holds the previous steps' recordings.
 */
class RegistryPercentilesTest extends RegistryTestSupport {

    @Test
    void percentilesCoverTheStepByDefault() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        long run = recordTwoSteps(registry);

        assertThat(series(run, "latency/p50").get(0)).isEqualTo(1.0);
        assertThat(series(run, "latency/p99").get(0)).isEqualTo(1.0);
        assertThat((Double) series(run, "latency/p50").get(1)).isCloseTo(0.01, within(0.01 / 128));
        assertThat(series(run, "latency/p99").get(1)).isEqualTo(0.02);
        assertThat(series(run, "latency/count")).containsExactly(entry(0, 100.0), entry(1, 3.0), entry(2, 0.0));
        assertThat(series(run, "latency/p50").get(2)).isEqualTo(0.0);
        assertThat(series(run, "payload/p50")).containsEntry(0, 4096.0);
        assertThat((Double) series(run, "payload/p50").get(1)).isCloseTo(64.0, within(64.0 / 128));
    }

    @Test
    void windowSelectsMicrometersTimeWindow() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL, Map.of("dalva.metrics.export.percentiles", "window"));
        long run = recordTwoSteps(registry);

        // the window still holds step 0's hundred one-second recordings
        assertThat((Double) series(run, "latency/p50").get(1)).isGreaterThan(0.9);
        assertThat((Double) series(run, "payload/p50").get(1)).isGreaterThan(4000.0);
        assertThat(series(run, "latency/count")).containsExactly(entry(0, 100.0), entry(1, 3.0), entry(2, 0.0));
    }

    private long recordTwoSteps(DalvaMeterRegistry registry) {
        Timer timer = Timer.builder("latency").publishPercentiles(0.5, 0.99).register(registry);
        DistributionSummary summary = DistributionSummary.builder("payload").publishPercentiles(0.5).register(registry);
        for (int i = 0; i < 100; i++) {
            timer.record(Duration.ofSeconds(1));
            summary.record(4096);
        }
        registry.step();
        timer.record(Duration.ofMillis(10));
        timer.record(Duration.ofMillis(10));
        timer.record(Duration.ofMillis(20));
        summary.record(64);
        clock.add(Duration.ofSeconds(5));
        registry.step();
        clock.add(Duration.ofSeconds(5));
        registry.step();
        return delivered(registry);
    }

}
