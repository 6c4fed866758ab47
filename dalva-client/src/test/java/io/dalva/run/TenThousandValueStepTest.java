package io.dalva.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.dalva.test.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13's big step: 10,000 values against a test server that takes 10 ms per value and
 * holds the run meanwhile, like Dalva's transaction (about 100 s). Runs once, with OkHttp
 * 4 (the client's second test execution, on OkHttp 5, leaves it out: the sizing does not
 * depend on the HTTP library, and {@link BatchSizingTest} covers the timeouts on both).
 */
class TenThousandValueStepTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path spool;

    DalvaTestServer server;

    @RegisterExtension
    final DalvaTestServerExtension dalva = DalvaTestServerExtension.perTest();

    @BeforeEach
    void useServer(DalvaTestServer server) {
        this.server = server;
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aTenThousandValueStepOnAServerTakingTenMillisecondsPerValueLandsWithoutAnyResend() {
        server.writeLatencyPerValue(Duration.ofMillis(10));
        DalvaRun run = DalvaRun.builder()
            .project("sizing")
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .maxBatchValues(10_000)
            .shutdownTimeout(Duration.ofSeconds(1))
            .start();
        MetricsBuffer step = new MetricsBuffer();
        for (int meter = 0; meter < 2_500; meter++) {
            step.group(MetricsBuffer.key("requests/worker=" + meter));
            step.value(MetricsBuffer.key("count"), meter);
            step.value(MetricsBuffer.key("sum"), meter / 8.0);
            step.value(MetricsBuffer.key("mean"), 0.125);
            step.value(MetricsBuffer.key("max"), meter + 0.5);
        }
        run.log(step, 0);

        assertThat(run.flush(Duration.ofMinutes(5))).isTrue();
        long id = run.id();
        run.close();

        assertThat(server.storedValueCount(id)).isEqualTo(10_000);
        assertThat(server.series(id, "requests/worker=2499/max")).containsEntry(0, 2499.5);
        List<RecordedRequest> batches = BatchSizingTest.batches(server, id);
        // no request was sent again, none overlapped another (the server answers that
        // 500)
        assertThat(batches).allSatisfy(request -> assertThat(request.status()).isEqualTo(200));
        assertThat(batches.stream().mapToInt(request -> request.metricValues()).sum()).isEqualTo(10_000);
        assertThat(distinctPaths(batches)).isEqualTo(10_000);
        // sized to the server: the first from the assumed 5 ms a value, then about 1.5 s
        // each
        assertThat(batches.size()).isBetween(50, 80);
        assertThat(batches).allSatisfy(request -> assertThat(request.metricValues()).isBetween(1, 300));
        assertThat(batches.subList(0, batches.size() - 1))
            .allSatisfy(request -> assertThat(request.metricValues()).isBetween(100, 300));
    }

    private static long distinctPaths(List<RecordedRequest> batches) {
        Set<String> paths = new HashSet<>();
        batches.forEach(request -> paths.addAll(paths(request.body())));
        return paths.size();
    }

    private static Set<String> paths(String body) {
        try {
            Set<String> paths = new HashSet<>();
            for (JsonNode entry : JSON.readTree(body).get("entries")) {
                collect(entry.get("metrics"), "", entry.get("step").asText(), paths);
            }
            return paths;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collect(JsonNode node, String prefix, String step, Set<String> paths) {
        node.fields().forEachRemaining(field -> {
            String path = prefix.isEmpty() ? field.getKey() : prefix + "/" + field.getKey();
            if (field.getValue().isObject()) {
                collect(field.getValue(), path, step, paths);
            }
            else {
                paths.add(path + "@" + step);
            }
        });
    }

}
