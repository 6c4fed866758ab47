package io.dalva.test;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The test server's own features: lifecycle, fault injection, request log, assertion
 * helpers.
 */
class DalvaTestServerTest {

    DalvaTestServer server;

    Http http;

    @BeforeEach
    void start() {
        server = DalvaTestServer.start();
        http = new Http(server.url());
    }

    @AfterEach
    void close() {
        server.close();
    }

    long newRun(String project, String name) {
        return http.init(project, name).get("id").longValue();
    }

    @Test
    void listensOnLoopbackWithAUrlWithoutTrailingSlash() {
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(server.port()).isPositive();
        assertThat(server.isRunning()).isTrue();
    }

    @Test
    void idsDoNotStartAtOne() {
        var first = http.init("demo", "a");
        assertThat(first.get("id").longValue()).isEqualTo(2);
        assertThat(first.get("run_id").textValue()).isEqualTo("DEM-2");
        assertThat(http.get("/api/projects/").json().get(0).get("id").longValue()).isEqualTo(2);
    }

    @Test
    void stopRefusesConnectionsAndRestartComesBackOnTheSamePortWithTheData() {
        long id = newRun("demo", "a");
        http.post("/api/runs/" + id + "/log", "{\"metrics\":{\"loss\":1.0},\"step\":0}");
        int port = server.port();

        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> http.get("/api/health")).isInstanceOf(UncheckedIOException.class)
            .hasCauseInstanceOf(ConnectException.class);

        server.restart();
        assertThat(server.port()).isEqualTo(port);
        assertThat(http.get("/api/runs/" + id + "/metrics/loss").json().get("value").doubleValue()).isEqualTo(1.0);
        assertThat(http.init("demo", "b").get("id").longValue()).as("a restart burns one id, like Dalva's")
            .isEqualTo(id + 2);
    }

    @Test
    void closeIsFinal() {
        server.close();
        assertThatThrownBy(server::restart).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> http.get("/api/health")).hasCauseInstanceOf(ConnectException.class);
    }

    @Test
    void startOnAGivenPort() {
        int port = server.port();
        server.close();
        try (DalvaTestServer again = DalvaTestServer.start(port)) {
            assertThat(again.port()).isEqualTo(port);
            assertThat(new Http(again.url()).get("/api/health").status()).isEqualTo(200);
        }
    }

    @Test
    void failNextAnswersTheNextRequestsWithoutHandlingThem() {
        long id = newRun("demo", "a");
        server.failNext(2, 503);
        Http.Reply first = http.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1.0},\"step\":0}");
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.body()).isEqualTo("{\"detail\":\"Service Unavailable\"}");
        assertThat(http.get("/api/health").status()).isEqualTo(503);
        assertThat(http.get("/api/health").status()).isEqualTo(200);
        assertThat(server.storedValueCount(id)).isZero();

        server.failNext(1, 500);
        assertThat(http.get("/api/health").body()).isEqualTo("{\"detail\":\"Internal server error\"}");
    }

    @Test
    void failNextCanMatchAPathAndGiveAnyBody() {
        long id = newRun("demo", "a");
        server.failNext(1, 502, "/log/batch$", "text/html", "<html><body>Bad Gateway</body></html>");
        assertThat(http.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1.0},\"step\":0}").status())
            .isEqualTo(200);
        Http.Reply batch = http.post("/api/runs/" + id + "/log/batch",
                "{\"entries\":[{\"metrics\":{\"a\":2.0},\"step\":1}]}");
        assertThat(batch.status()).isEqualTo(502);
        assertThat(batch.body()).isEqualTo("<html><body>Bad Gateway</body></html>");
        assertThat(server.series(id, "a")).containsOnlyKeys(0);
    }

    @Test
    void delayResponsesHoldsBackAnswers() {
        server.delayResponses(Duration.ofMillis(300));
        long start = System.nanoTime();
        assertThat(http.get("/api/health").status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

        server.delayResponses(Duration.ZERO);
        OkHttpClient impatient = new OkHttpClient.Builder().readTimeout(Duration.ofMillis(100)).build();
        server.delayResponses(Duration.ofMillis(500));
        long id = newRunWithoutDelayCheck();
        Http slow = new Http(server.url(), impatient);
        assertThatThrownBy(() -> slow.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1.0},\"step\":0}"))
            .hasCauseInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(server.series(id, "a")).as("handled before the delay").containsEntry(0, 1.0);
    }

    @Test
    void awaitIdleWaitsForARequestWhoseClientLeftDuringItsDelay() {
        server.delayResponses(Duration.ofMillis(600));
        long id = newRunWithoutDelayCheck();
        int logged = server.requests().size();
        Http slow = new Http(server.url(), new OkHttpClient.Builder().readTimeout(Duration.ofMillis(100)).build());
        assertThatThrownBy(() -> slow.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1.0},\"step\":0}"))
            .hasCauseInstanceOf(java.net.SocketTimeoutException.class);

        assertThat(server.series(id, "a")).as("stored before the delay").containsEntry(0, 1.0);
        assertThat(server.requestsInProgress()).isEqualTo(1);
        assertThat(server.requests()).as("logged once answered").hasSize(logged);
        assertThat(server.awaitIdle(Duration.ZERO)).isFalse();

        assertThat(server.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(server.requestsInProgress()).isZero();
        assertThat(server.requests()).hasSize(logged + 1)
            .last()
            .satisfies(request -> assertThat(request.path()).isEqualTo("/api/runs/" + id + "/log"));
    }

    private long newRunWithoutDelayCheck() {
        return newRun("demo", "slow");
    }

    @Test
    void dropConnectionAfterStoringStoresTheDataButNeverAnswers() throws Exception {
        long id = newRun("demo", "a");
        server.dropConnectionAfterStoring(1, "/log$");
        OkHttpClient fresh = new OkHttpClient();
        Request request = new Request.Builder().url(server.url() + "/api/runs/" + id + "/log")
            .post(RequestBody.create("{\"metrics\":{\"loss\":0.5},\"step\":7}", MediaType.get("application/json")))
            .build();
        assertThatThrownBy(() -> fresh.newCall(request).execute().close()).isInstanceOf(IOException.class);

        assertThat(server.series(id, "loss")).containsExactly(entry(7, 0.5));
        assertThat(server.requests()).last().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/api/runs/" + id + "/log");
            assertThat(r.status()).isZero();
        });
        try (var retry = fresh.newCall(request).execute()) {
            assertThat(retry.code()).as("the retry finds the value stored").isEqualTo(409);
        }
    }

    @Test
    void okHttpSilentlyRetriesADroppedRequestOnAReusedConnectionAndGetsA409ForItsOwnWrite() throws Exception {
        OkHttpClient pooled = new OkHttpClient();
        Http client = new Http(server.url(), pooled);
        long id = client.init("demo", "a").get("id").longValue(); // leaves a pooled
                                                                  // connection
        server.dropConnectionAfterStoring(1, "/log$");

        Http.Reply reply = client.post("/api/runs/" + id + "/log", "{\"metrics\":{\"loss\":0.5},\"step\":7}");

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.body()).contains("Metric 'loss' already exists at step 7");
        assertThat(server.requests()).extracting(RecordedRequest::status).containsExactly(200, 0, 409);
        assertThat(server.series(id, "loss")).containsExactly(entry(7, 0.5));
    }

    @Test
    void requestsAreRecordedWithMethodPathQueryBodyHeadersTimeAndStatus() {
        long id = newRun("demo", "a");
        server.clearRequests();
        http.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1}}");
        http.patch("/api/runs/" + id + "/state?state=bogus");
        http.get("/api/runs");

        List<RecordedRequest> requests = server.requests();
        assertThat(requests)
            .extracting(RecordedRequest::method, RecordedRequest::path, RecordedRequest::query, RecordedRequest::status)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("POST", "/api/runs/" + id + "/log", "", 200),
                    org.assertj.core.groups.Tuple.tuple("PATCH", "/api/runs/" + id + "/state", "state=bogus", 422),
                    org.assertj.core.groups.Tuple.tuple("GET", "/api/runs", "", 307));
        assertThat(requests.get(0).body()).isEqualTo("{\"metrics\":{\"a\":1}}");
        assertThat(requests.get(0).header("content-type")).startsWith("application/json");
        assertThat(requests.get(0).time()).isBeforeOrEqualTo(requests.get(1).time());

        server.clearRequests();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void assertionHelpersReadTheStoredState() {
        var init = http.post("/api/runs/init",
                "{\"project\":\"demo\",\"name\":\"helpers\",\"config\":{\"optim\":{\"lr\":0.1},\"layers\":[1,2],\"seed\":7}}")
            .json();
        long id = init.get("id").longValue();
        http.post("/api/runs/" + id + "/log/batch",
                "{\"entries\":[" + "{\"metrics\":{\"f\":1.5,\"i\":3,\"b\":true,\"s\":\"x\",\"n\":NaN},\"step\":0},"
                        + "{\"metrics\":{\"f\":2.5},\"step\":1},{\"metrics\":{\"best\":0.9}}]}");

        StoredRun run = server.run(id).orElseThrow();
        assertThat(run.runId()).isEqualTo(init.get("run_id").textValue());
        assertThat(run.name()).isEqualTo("helpers");
        assertThat(run.project()).isEqualTo("demo");
        assertThat(run.state()).isEqualTo("running");
        assertThat(run.config()).containsExactly(entry("optim/lr", 0.1), entry("layers", List.of(1L, 2L)),
                entry("seed", 7L));
        assertThat(server.runByRunId(run.runId())).contains(run);
        assertThat(server.runs()).containsExactly(run);
        assertThat(server.run(999)).isEmpty();

        assertThat(server.series(id, "f")).containsExactly(entry(0, 1.5), entry(1, 2.5));
        assertThat(server.series(id, "i")).containsExactly(entry(0, 3L));
        assertThat(server.series(id, "b")).containsExactly(entry(0, true));
        assertThat(server.series(id, "s")).containsExactly(entry(0, "x"));
        assertThat(server.series(id, "n")).containsExactly(entry(0, null));
        assertThat(server.series(id, "nope")).isEmpty();
        assertThat(server.scalars(id)).containsExactly(entry("best", 0.9));
        assertThat(server.attributeType(id, "f")).isEqualTo("float_series");
        assertThat(server.attributeType(id, "i")).isEqualTo("int_series");
        assertThat(server.attributeType(id, "best")).isEqualTo("float");
        assertThat(server.attributeType(id, "nope")).isNull();
        assertThat(server.paths(id)).containsExactly("b", "best", "f", "i", "n", "s");
        assertThat(server.storedValueCount(id)).isEqualTo(7);
    }

    @Test
    void aWriteToARunWhileAnotherWriteToItIsInProgressIs500() throws Exception {
        long id = newRun("demo", "parallel");
        long other = newRun("demo", "other");
        server.holdWrites(Duration.ofMillis(400));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (String body : List.of("{\"metrics\":{\"a\":1.0},\"step\":0}",
                    "{\"metrics\":{\"b\":1.0},\"step\":0}")) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return new Http(server.url()).post("/api/runs/" + id + "/log", body);
                }));
            }
            Future<Http.Reply> otherRun = pool.submit(() -> {
                go.await();
                return new Http(server.url()).post("/api/runs/" + other + "/log",
                        "{\"metrics\":{\"c\":1.0},\"step\":0}");
            });
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Http.Reply> reply : replies) {
                statuses.add(reply.get(10, TimeUnit.SECONDS).status());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 500);
            assertThat(otherRun.get(10, TimeUnit.SECONDS).status()).as("other runs are independent").isEqualTo(200);
            assertThat(server.storedValueCount(id)).isEqualTo(1);
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writeLatencyPerValueSlowsWritesByTheirSizeAndHoldsTheRun() {
        long id = newRun("demo", "slow writes");
        server.writeLatencyPerValue(Duration.ofMillis(20));
        long start = System.nanoTime();
        assertThat(http
            .post("/api/runs/" + id + "/log",
                    "{\"metrics\":{\"a\":1.0,\"b\":1.0,\"c\":1.0,\"d\":1.0,\"e\":1.0},\"step\":0}")
            .status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        server.resetFaults();
        start = System.nanoTime();
        http.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1.0},\"step\":1}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void servingTheWebUiTurnsTheRedirectInto404() {
        server.serveWebUi(true);
        Http.Reply runs = http.get("/api/runs");
        assertThat(runs.status()).isEqualTo(404);
        assertThat(runs.body()).isEqualTo("{\"detail\":\"Not found\"}");
        assertThat(http.post("/api/runs", "{}").status()).isEqualTo(405);
        assertThat(http.get("/").body()).contains("<title>Dalva</title>");
        assertThat(http.get("/api/runs/").status()).isEqualTo(200);
        server.serveWebUi(false);
        assertThat(http.get("/api/runs").status()).isEqualTo(307);
    }

    @Test
    void sequentialWritesNeverConflict() {
        long id = newRun("demo", "sequential");
        for (int step = 0; step < 200; step++) {
            assertThat(
                    http.post("/api/runs/" + id + "/log", "{\"metrics\":{\"a\":1.0},\"step\":" + step + "}").status())
                .isEqualTo(200);
        }
        assertThat(server.series(id, "a")).hasSize(200);
    }

    @Test
    void manyClientsWritingToTheirOwnRunsInParallelLoseNothing() throws Exception {
        int runs = 8;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ids.add(newRun("demo", "r" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (long id : ids) {
                done.add(pool.submit(() -> {
                    for (int step = 0; step < 50; step++) {
                        assertThat(http
                            .post("/api/runs/" + id + "/log",
                                    "{\"metrics\":{\"x\":" + step + ".0},\"step\":" + step + "}")
                            .status()).isEqualTo(200);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }
        ids.forEach(id -> assertThat(server.series(id, "x")).hasSize(50));
    }

}
