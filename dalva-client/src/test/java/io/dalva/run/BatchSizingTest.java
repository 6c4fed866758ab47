package io.dalva.run;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.dalva.test.RecordedRequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: requests on a slow server. The test server takes a fixed time per value and
 * holds the run meanwhile, like Dalva's transaction: a second write arriving meanwhile
 * gets a 500, a write whose client gave up still completes. Every value must arrive
 * exactly once, with no request overlapping another.
 */
class BatchSizingTest {

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
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRequestThatTimesOutIsNotSentAgainWhileTheServerIsStillWritingIt() {
        // 50 ms a value: ten times slower than the sender assumes before its first
        // request
        server.writeLatencyPerValue(Duration.ofMillis(50));
        DalvaRun run = runWithOneSecondTimeouts();
        MetricsBuffer big = threeHundredValues();
        // expected 1.5 s, so the request times out after 1 + 3 x 1.5 s; the server
        // takes 15 s
        run.log(big, 100);

        assertThat(run.flush(Duration.ofSeconds(90))).isTrue();
        long id = run.id();
        // the client gave up on the request...
        assertThat(run.deliveryStatus().lastErrorMessage())
            .hasValueSatisfying(error -> assertThat(error).contains("cannot log").contains("timeout"));
        run.close();

        // ...then looked its last value up until the server had stored it: never sent
        // again
        List<RecordedRequest> bigBatches = batches(server, id).stream()
            .filter(request -> request.body().contains("\"value0\""))
            .toList();
        assertThat(bigBatches).hasSize(1);
        assertThat(server.requests()).anyMatch(request -> request.path().endsWith("/metrics/value299"));
        assertThat(server.requests()).noneMatch(request -> request.status() == 500 || request.status() == 409);
        assertThat(server.storedValueCount(id)).isEqualTo(300);
        assertThat(server.series(id, "value299")).containsEntry(100, 299.0);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aSecondCopyRefusedWhileTheFirstIsStillWrittenIsLookedUpAgainNotSentAThirdTime() {
        // 100 ms a value: the 300 values take 30 s; the request times out after about
        // 6 s, the sender looks its last value up for 12 s more, then sends it again
        // while the server is still writing the first copy (a 500), and looks again
        server.writeLatencyPerValue(Duration.ofMillis(100));
        DalvaRun run = runWithOneSecondTimeouts();
        MetricsBuffer big = threeHundredValues();
        run.log(big, 7);

        assertThat(run.flush(Duration.ofSeconds(100))).isTrue();
        long id = run.id();
        run.close();

        List<RecordedRequest> copies = batches(server, id);
        assertThat(copies).extracting(RecordedRequest::status).containsExactlyInAnyOrder(200, 500);
        assertThat(server.requests()).noneMatch(request -> request.status() == 409);
        assertThat(server.storedValueCount(id)).isEqualTo(300);
    }

    /**
     * A run whose requests time out after 1 s plus three times their expected time, and
     * whose retries come within a second.
     */
    private DalvaRun runWithOneSecondTimeouts() {
        return DalvaRun.builder()
            .project("sizing")
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .readTimeout(Duration.ofSeconds(1))
            .callTimeout(Duration.ofSeconds(1))
            .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
            .shutdownTimeout(Duration.ofSeconds(1))
            .start();
    }

    /**
     * {@code value0..value299}, the sender's first request at its assumed 5 ms a value.
     */
    private static MetricsBuffer threeHundredValues() {
        MetricsBuffer values = new MetricsBuffer();
        for (int i = 0; i < 300; i++) {
            values.value(MetricsBuffer.key("value" + i), i);
        }
        return values;
    }

    /** The {@code /log/batch} requests to run {@code id}, in the order answered. */
    static List<RecordedRequest> batches(DalvaTestServer server, long id) {
        return server.requests()
            .stream()
            .filter(request -> request.path().equals("/api/runs/" + id + "/log/batch"))
            .toList();
    }

}
