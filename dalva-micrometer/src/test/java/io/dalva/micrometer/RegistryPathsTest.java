package io.dalva.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.config.NamingConvention;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Paths and meter selection as the server stores them. The registry writes to a real
 * {@link io.dalva.test.DalvaTestServer} over loopback, time from a
 * {@link io.micrometer.core.instrument.MockClock}.
 */
class RegistryPathsTest extends RegistryTestSupport {

    @Test
    void tagValuesWithSlashesAndUnicodeGetPathsTheUiCanChart() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        registry.counter("http.requests", "uri", "/api/users/{id}", "city", "São Paulo ☀").increment();
        registry.counter("http.requests", "uri", "/api/users", "city", "São Paulo ☀").increment(2);
        registry.counter("http.requests", "uri", "%2Fapi?q=1#top\\x", "city", "São Paulo ☀").increment(3);
        registry.step();
        long run = delivered(registry);

        assertThat(series(run, "http.requests/city=São Paulo ☀,uri=∕api∕users∕{id}/count"))
            .containsExactly(entry(0, 1.0));
        assertThat(series(run, "http.requests/city=São Paulo ☀,uri=∕api∕users/count")).containsExactly(entry(0, 2.0));
        assertThat(series(run, "http.requests/city=São Paulo ☀,uri=％2Fapi？q=1＃top∖x/count"))
            .containsExactly(entry(0, 3.0));
        assertThat(server.paths(run)).hasSize(6).allSatisfy(path -> {
            assertThat(UiRoundTrip.serverSees(path)).isEqualTo(path);
            assertThat(path.split("/", -1)).hasSizeLessThanOrEqualTo(3);
        });
    }

    @Test
    void aTagValueThatAlreadyHoldsTheLookAlikeIsNotMergedSilently() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        registry.counter("http.requests", "uri", "/api").increment(1);
        registry.counter("http.requests", "uri", "∕api").increment(2);
        registry.step();
        registry.counter("http.requests", "uri", "/api").increment(1);
        registry.counter("http.requests", "uri", "∕api").increment(2);
        registry.step();
        long run = delivered(registry);

        assertThat(server.paths(run)).containsExactlyInAnyOrder("http.requests/uri=∕api/count",
                "http.requests/uri=∕api/total");
        // one of the two owns the path, the same one at every step
        assertThat(series(run, "http.requests/uri=∕api/count")).satisfiesAnyOf(
                steps -> assertThat(steps).containsExactly(entry(0, 1.0), entry(1, 1.0)),
                steps -> assertThat(steps).containsExactly(entry(0, 2.0), entry(1, 2.0)));
        assertThat(requestsWithStatus(run, 409)).isEmpty();
    }

    @Test
    void namingConventionAndCommonTagsShapeThePaths() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        registry.config().commonTags("app", "trainer").namingConvention(NamingConvention.snakeCase);
        registry.counter("train.samples", "split", "val").increment();
        registry.step();
        long run = delivered(registry);

        assertThat(server.paths(run)).containsExactlyInAnyOrder("train_samples/app=trainer,split=val/count",
                "train_samples/app=trainer,split=val/total");
    }

    @Test
    void twoMetersThatTheNamingConventionMergesNeverShareAPath() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL);
        registry.config().namingConvention(NamingConvention.snakeCase);
        registry.counter("a.b").increment(1);
        registry.counter("a_b").increment(2);
        registry.step();
        registry.counter("a.b").increment(1);
        registry.counter("a_b").increment(2);
        registry.step();
        long run = delivered(registry);

        assertThat(server.paths(run)).containsExactlyInAnyOrder("a_b/count", "a_b/total");
        // one of the two owns the path, the same one at every step
        assertThat(series(run, "a_b/count")).satisfiesAnyOf(
                steps -> assertThat(steps).containsExactly(entry(0, 1.0), entry(1, 1.0)),
                steps -> assertThat(steps).containsExactly(entry(0, 2.0), entry(1, 2.0)));
        assertThat(requestsWithStatus(run, 409)).isEmpty();
        assertThat(requestsWithStatus(run, 500)).isEmpty();
    }

    @Test
    void includeAndExcludePatternsSelectMeters() {
        DalvaMeterRegistry registry = registry(StepMode.MANUAL, Map.of("dalva.metrics.export.include",
                "train.*,jvm.memory.used", "dalva.metrics.export.exclude", "train.debug.*"));
        registry.counter("train.samples").increment();
        registry.counter("train.debug.steps").increment();
        Gauge.builder("jvm.memory.used", () -> 1.0).register(registry);
        Gauge.builder("jvm.threads.live", () -> 1.0).register(registry);
        registry.step();
        long run = delivered(registry);

        assertThat(server.paths(run)).containsExactlyInAnyOrder("train.samples/count", "train.samples/total",
                "jvm.memory.used/value");
    }

}
