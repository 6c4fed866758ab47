package io.dalva.run;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.DalvaServerException;
import io.dalva.client.DalvaUnreachableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.dalva.test.RecordedRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link DalvaRun} over HTTP against {@link DalvaTestServer}. */
@ExtendWith(DalvaTestServerExtension.class)
class DalvaRunTest {

    private static final AtomicInteger projects = new AtomicInteger();

    private DalvaTestServer server;

    private String project;

    @BeforeEach
    void setUp(DalvaTestServer server) {
        this.server = server;
        this.project = "run-test-" + projects.incrementAndGet();
        server.resetFaults();
        server.clearRequests();
    }

    @Test
    void startChecksHealthCreatesTheRunAndLogsItsId() {
        List<String> messages = new ArrayList<>();
        Handler handler = capture(messages);
        try (DalvaRun run = builder().name("baseline")
            .config(Map.of("lr", 0.01, "model", Map.of("layers", 4)))
            .start()) {
            assertThat(run.runId()).matches("[A-Z0-9]{3}-\\d+");
            assertThat(run.name()).isEqualTo("baseline");
            assertThat(run.project()).isEqualTo(project);
            assertThat(run.client().serverUrl()).isEqualTo(server.url());
            assertThat(server.run(run.id())).hasValueSatisfying(stored -> {
                assertThat(stored.runId()).isEqualTo(run.runId());
                assertThat(stored.state()).isEqualTo("running");
                assertThat(stored.config()).containsOnly(Map.entry("lr", 0.01), Map.entry("model/layers", 4L));
            });
            assertThat(messages).contains("Run created: " + run.runId() + ".");
        }
        finally {
            Logger.getLogger(DalvaRun.class.getName()).removeHandler(handler);
        }
        assertThat(server.requests()).extracting(RecordedRequest::path).startsWith("/api/health", "/api/runs/init");
    }

    @Test
    void startFailsClearlyWhenTheServerIsDown() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThatThrownBy(() -> DalvaRun.builder()
            .project(project)
            .serverUrl("http://127.0.0.1:" + port)
            .synchronous(true)
            .start()).isInstanceOf(DalvaUnreachableException.class).hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void startCreatesNothingWhenHealthFails() {
        server.failNext(1, 503, "/api/health");

        assertThatThrownBy(() -> builder().start()).isInstanceOf(DalvaServerException.class);
        assertThat(server.requests()).extracting(RecordedRequest::path).containsExactly("/api/health");
    }

    @Test
    void logsScalarsAndStepsOfEveryType() {
        try (DalvaRun run = builder().start()) {
            for (int step = 0; step < 3; step++) {
                run.log(Map.of("train", Map.of("loss", 1.0 / (step + 1)), "epoch", step, "tokens", 1000L * step, "warm",
                        step == 0, "phase", "p" + step), step);
            }
            run.log(Map.of("final", Map.of("loss", 1.0 / 3)));

            assertThat(server.series(run.id(), "train/loss")).containsExactly(Map.entry(0, 1.0), Map.entry(1, 0.5),
                    Map.entry(2, 1.0 / 3));
            assertThat(server.attributeType(run.id(), "train/loss")).isEqualTo("float_series");
            assertThat(server.attributeType(run.id(), "epoch")).isEqualTo("int_series");
            assertThat(server.series(run.id(), "tokens")).containsEntry(2, 2000L);
            assertThat(server.attributeType(run.id(), "warm")).isEqualTo("bool_series");
            assertThat(server.attributeType(run.id(), "phase")).isEqualTo("string_series");
            assertThat(server.attributeType(run.id(), "final/loss")).isEqualTo("float");
            assertThat(run.getMetric("train/loss")).isEqualTo(1.0 / 3);
            assertThat(run.getMetric("train/loss", 1)).isEqualTo(0.5);
            assertThat(run.getMetric("final/loss")).isEqualTo(1.0 / 3);
        }
    }

    @Test
    void wholeNumberDoublesStayFloats() {
        try (DalvaRun run = builder().start()) {
            run.log(Map.of("loss", 1.0), 0);
            run.log(Map.of("loss", 1.5), 1);

            assertThat(server.series(run.id(), "loss")).containsExactly(Map.entry(0, 1.0), Map.entry(1, 1.5));
        }
    }

    @Test
    void invalidValuesNameTheKeyAndSendNothing() {
        try (DalvaRun run = builder().start()) {
            server.clearRequests();
            Map<String, Object> withNull = new HashMap<>();
            withNull.put("loss", null);

            assertThatIllegalArgumentException().isThrownBy(() -> run.log(withNull, 0)).withMessageContaining("'loss'");
            assertThatIllegalArgumentException().isThrownBy(() -> run.log(Map.of("eval", Map.of("f1", Double.NaN)), 0))
                .withMessageContaining("'eval/f1'");
            assertThatIllegalArgumentException().isThrownBy(() -> run.log(Map.of("x", Float.POSITIVE_INFINITY)))
                .withMessageContaining("'x'");
            assertThatIllegalArgumentException().isThrownBy(() -> run.log(Map.of("tokens", 1L << 31), 0))
                .withMessageContaining("'tokens'");
            assertThatIllegalArgumentException().isThrownBy(() -> run.log(Map.of("big", BigInteger.TEN), 0))
                .withMessageContaining("'big'");
            assertThatIllegalArgumentException().isThrownBy(() -> run.log(Map.of("", 1.0), 0))
                .withMessageContaining("key ''");
            assertThatIllegalArgumentException().isThrownBy(() -> run.log(Map.of("loss", 1.0), -1))
                .withMessageContaining("step -1");
            assertThatIllegalArgumentException().isThrownBy(() -> run.logConfig(Map.of("when", new Object())))
                .withMessageContaining("'when'");

            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void anEmptyMapSendsNothing() {
        try (DalvaRun run = builder().start()) {
            server.clearRequests();

            run.log(Map.of(), 0);
            run.log(Map.of());
            run.logConfig(Map.of());

            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void loggingTheSameStepTwiceIsAConflictUntilRemoved() {
        try (DalvaRun run = builder().start()) {
            run.log(Map.of("loss", 1.0), 0);

            assertThatThrownBy(() -> run.log(Map.of("loss", 2.0), 0)).isInstanceOf(DalvaConflictException.class);

            run.removeMetric("loss", 0);
            run.log(Map.of("loss", 2.0), 0);
            assertThat(run.getMetric("loss", 0)).isEqualTo(2.0);

            run.removeMetric("loss");
            assertThat(server.paths(run.id())).isEmpty();
            assertThatThrownBy(() -> run.getMetric("loss")).isInstanceOf(DalvaNotFoundException.class);
        }
    }

    @Test
    void configCanBeLoggedReadAndRemoved() {
        try (DalvaRun run = builder().config(Map.of("seed", 1)).start()) {
            run.logConfig(Map.of("data", Map.of("path", "/data/train", "shuffle", true)));

            assertThat(run.getConfig()).containsOnly(Map.entry("seed", 1L), Map.entry("data/path", "/data/train"),
                    Map.entry("data/shuffle", true));
            assertThat(run.getConfig("data/path")).isEqualTo("/data/train");
            assertThatThrownBy(() -> run.logConfig(Map.of("seed", 2))).isInstanceOf(DalvaConflictException.class);

            run.removeConfig("seed");
            run.logConfig(Map.of("seed", 2));
            assertThat(run.getConfig("seed")).isEqualTo(2L);
        }
    }

    @Test
    void closeFinishesTheRunOnce() {
        long id;
        try (DalvaRun run = builder().start()) {
            id = run.id();
            run.log(Map.of("loss", 1.0), 0);
        }
        assertThat(server.run(id)).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo("completed"));

        DalvaRun finished = builder().start();
        finished.finish();
        finished.close();
        assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/runs/" + finished.id() + "/finish"))
            .hasSize(1);
    }

    @Test
    void aFailedRunStaysFailedAfterClose() {
        DalvaRun run = builder().start();
        run.fail();
        run.close();

        assertThat(server.run(run.id())).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo("failed"));
        assertThat(server.requests()).noneMatch(r -> r.path().endsWith("/finish"));
    }

    @Test
    void closeReleasesAnOwnedClientButNotAGivenOne() {
        DalvaRun owning = builder().start();
        owning.close();
        assertThatThrownBy(() -> owning.client().health()).isInstanceOf(IllegalStateException.class);

        try (DalvaClient shared = DalvaClient.builder().serverUrl(server.url()).build()) {
            DalvaRun run = DalvaRun.builder().project(project).client(shared).start();
            run.close();
            shared.health();
            assertThat(run.client()).isSameAs(shared);
        }
    }

    @Test
    void concurrentLogsToOneRunAreSentOneAtATime() throws Exception {
        server.holdWrites(Duration.ofMillis(5));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (DalvaRun run = builder().start()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String path = "thread" + t + "/loss";
                futures.add(threads.submit(() -> {
                    for (int step = 0; step < 10; step++) {
                        run.log(Map.of(path, step / 10.0), step);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
            assertThat(server.storedValueCount(run.id())).isEqualTo(40);
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void builderRejectsContradictions() {
        assertThatIllegalArgumentException().isThrownBy(() -> DalvaRun.builder().start())
            .withMessageContaining("project");
        assertThatIllegalArgumentException().isThrownBy(() -> builder().resumeFrom("A-1").forkFrom("A-2").start())
            .withMessageContaining("not both");
        try (DalvaClient shared = DalvaClient.builder().serverUrl(server.url()).build()) {
            assertThatIllegalArgumentException().isThrownBy(
                    () -> DalvaRun.builder().project(project).client(shared).readTimeout(Duration.ofSeconds(1)).start())
                .withMessageContaining("client(...)");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> builder().config(Map.of("lr", Double.NaN)).start())
            .withMessageContaining("'lr'");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void clientOptionsReachTheServer() {
        try (DalvaRun run = builder().header("Authorization", "Bearer abc")
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(5))
            .callTimeout(Duration.ofSeconds(10))
            .start()) {
            run.log(Map.of("loss", 1.0), 0);
        }
        assertThat(server.requests()).isNotEmpty()
            .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer abc"));
    }

    @Test
    void pathsTheWebUiCannotChartAreSentAndWarnedAboutOncePerPath() {
        List<String> messages = new ArrayList<>();
        Handler handler = capture(messages);
        try (DalvaRun run = builder().start()) {
            for (int step = 0; step < 3; step++) {
                run.log(Map.of("rate%", 1.0, "q?x", 2.0, "a#b", 3.0, "win\\dows", 4.0, "clean/loss", 5.0), step);
            }
            run.log(Map.of("rate%", 6.0), 3);
            run.log(Map.of("best%", 7.0));

            for (String path : List.of("rate%", "q?x", "a#b", "win\\dows", "clean/loss")) {
                assertThat(run.getMetric(path, 2)).as(path).isNotNull();
            }
            assertThat(server.series(run.id(), "rate%")).hasSize(4);
            assertThat(run.getMetric("best%")).isEqualTo(7.0);
        }
        finally {
            Logger.getLogger(DalvaRun.class.getName()).removeHandler(handler);
        }
        List<String> warnings = messages.stream().filter(m -> m.contains("cannot chart")).toList();
        assertThat(warnings).hasSize(5)
            .anySatisfy(m -> assertThat(m).contains("'rate%'").contains("holds '%'"))
            .anySatisfy(m -> assertThat(m).contains("'q?x'").contains("holds '?'"))
            .anySatisfy(m -> assertThat(m).contains("'a#b'").contains("holds '#'"))
            .anySatisfy(m -> assertThat(m).contains("'win\\dows'").contains("holds '\\'"))
            .anySatisfy(m -> assertThat(m).contains("'best%'"))
            .allSatisfy(m -> assertThat(m).doesNotContain("clean").endsWith("."));
    }

    @Test
    void theCallTimeoutReachesTheRunsClient() {
        server.delayResponses(Duration.ofMillis(1500));

        assertThatThrownBy(() -> builder().callTimeout(Duration.ofMillis(200)).start())
            .isInstanceOf(DalvaUnreachableException.class)
            .hasMessageContaining("GET /api/health");
    }

    private DalvaRun.Builder builder() {
        // synchronous: these tests read the server right after each call, and expect its
        // errors thrown
        return DalvaRun.builder().project(project).serverUrl(server.url()).synchronous(true);
    }

    private static Handler capture(List<String> messages) {
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (messages) {
                    messages.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(DalvaRun.class.getName()).addHandler(handler);
        return handler;
    }

}
