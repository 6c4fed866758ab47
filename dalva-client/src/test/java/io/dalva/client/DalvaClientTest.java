package io.dalva.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.dalva.test.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every endpoint of the client, over HTTP against {@link DalvaTestServer}. */
@ExtendWith(DalvaTestServerExtension.class)
class DalvaClientTest {

    private static final AtomicInteger projects = new AtomicInteger();

    private DalvaTestServer server;

    private DalvaClient client;

    private String project;

    @BeforeEach
    void setUp(DalvaTestServer server) {
        this.server = server;
        this.client = DalvaClient.builder().serverUrl(server.url()).build();
        this.project = "client-test-" + projects.incrementAndGet();
        server.clearRequests();
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void health() {
        client.health();

        assertThat(server.requests()).extracting(RecordedRequest::method, RecordedRequest::path)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("GET", "/api/health"));
    }

    @Test
    void initRunCreatesARunWithItsConfigFlattened() {
        RunHandle run = client.initRun(RunInit.builder(project)
            .name("baseline")
            .config(Map.of("lr", 1.0, "model", Map.of("layers", 4), "tags", List.of("a", "b")))
            .build());

        assertThat(run.runId()).matches("[A-Z0-9]{3}-\\d+");
        assertThat(run.name()).isEqualTo("baseline");
        assertThat(server.run(run.id())).hasValueSatisfying(stored -> {
            assertThat(stored.runId()).isEqualTo(run.runId());
            assertThat(stored.project()).isEqualTo(project);
            assertThat(stored.state()).isEqualTo("running");
            assertThat(stored.config()).containsEntry("lr", 1.0)
                .containsEntry("model/layers", 4L)
                .containsEntry("tags", List.of("a", "b"));
        });
        assertThat(lastRequest().body()).contains("\"lr\":1.0");
    }

    @Test
    void logSendsDoublesAsFloatsAndKeepsEachType() {
        long id = newRun();

        client.log(id, Map.of("loss", 1.0, "epoch", 3, "big", 1e20, "ok", true, "phase", "warmup", "f", 0.5f), 0);

        String body = lastRequest().body();
        assertThat(body).contains("\"loss\":1.0")
            .contains("\"epoch\":3")
            .contains("\"f\":0.5")
            .contains("\"step\":0")
            .doesNotContain("NaN");
        assertThat(server.attributeType(id, "loss")).isEqualTo("float_series");
        assertThat(server.attributeType(id, "big")).isEqualTo("float_series");
        assertThat(server.attributeType(id, "epoch")).isEqualTo("int_series");
        assertThat(server.attributeType(id, "ok")).isEqualTo("bool_series");
        assertThat(server.attributeType(id, "phase")).isEqualTo("string_series");
        assertThat(server.series(id, "loss")).containsExactly(Map.entry(0, 1.0));
        assertThat(server.series(id, "big")).containsExactly(Map.entry(0, 1e20));
    }

    @Test
    void logWithoutStepStoresScalars() {
        long id = newRun();

        client.log(id, Map.of("final", Map.of("accuracy", 0.93)), null);

        assertThat(server.attributeType(id, "final/accuracy")).isEqualTo("float");
        assertThat(lastRequest().body()).doesNotContain("step");
        assertThat(client.getMetric(id, "final/accuracy", null))
            .isEqualTo(new MetricValue("final/accuracy", 0.93, null));
    }

    @Test
    void logFlattensNestedMaps() {
        long id = newRun();

        client.log(id, Map.of("train", Map.of("loss", 0.5, "acc", Map.of("top1", 0.7))), 2);

        assertThat(server.paths(id)).containsExactlyInAnyOrder("train/loss", "train/acc/top1");
    }

    @Test
    void logBatchStoresEveryEntry() {
        long id = newRun();

        client.logBatch(id, List.of(new LogEntry(Map.of("loss", 0.9), 0), new LogEntry(Map.of("loss", 0.7), 1),
                new LogEntry(Map.of("best", 0.7), null)));

        SortedMap<Integer, Object> loss = server.series(id, "loss");
        assertThat(loss).containsExactly(Map.entry(0, 0.9), Map.entry(1, 0.7));
        assertThat(server.attributeType(id, "best")).isEqualTo("float");
        assertThat(lastRequest().path()).isEqualTo("/api/runs/" + id + "/log/batch");
    }

    @Test
    void logBatchWithAConflictStoresNothing() {
        long id = newRun();
        client.log(id, Map.of("loss", 0.9), 0);

        assertThatThrownBy(() -> client.logBatch(id,
                List.of(new LogEntry(Map.of("loss", 0.5), 1), new LogEntry(Map.of("loss", 0.4), 0))))
            .isInstanceOf(DalvaConflictException.class)
            .satisfies(e -> assertThat(((DalvaConflictException) e).conflicts()).singleElement()
                .extracting(Conflict::entry, Conflict::path, Conflict::step, Conflict::kind)
                .containsExactly(1, "loss", 0, Conflict.Kind.ALREADY_EXISTS));
        assertThat(server.series(id, "loss")).containsOnlyKeys(0);
    }

    @Test
    void finishMarksTheRunCompletedAndIsIdempotent() {
        long id = newRun();

        client.finish(id);
        client.finish(id);

        assertThat(server.run(id)).hasValueSatisfying(run -> assertThat(run.state()).isEqualTo("completed"));
        assertThat(lastRequest().method()).isEqualTo("POST");
        assertThat(lastRequest().path()).isEqualTo("/api/runs/" + id + "/finish");
    }

    @Test
    void setStateReturnsTheUpdatedRun() {
        long id = newRun();

        RunInfo info = client.setState(id, RunState.FAILED);

        assertThat(info.id()).isEqualTo(id);
        assertThat(info.state()).isEqualTo(RunState.FAILED);
        assertThat(server.run(id)).hasValueSatisfying(run -> assertThat(run.state()).isEqualTo("failed"));
        assertThat(lastRequest().method()).isEqualTo("PATCH");
        assertThat(lastRequest().query()).isEqualTo("state=failed");
        assertThat(client.setState(id, RunState.RUNNING).state()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void configCanBeLoggedReadAndDeleted() {
        long id = newRun();

        client.logConfig(id, Map.of("optimizer", Map.of("name", "adam", "betas", List.of(0.9, 0.999)), "seed", 7));

        assertThat(client.getConfig(id)).containsOnly(Map.entry("optimizer/name", "adam"),
                Map.entry("optimizer/betas", List.of(0.9, 0.999)), Map.entry("seed", 7L));
        assertThat(client.getConfigValue(id, "optimizer/name")).isEqualTo("adam");
        assertThat(lastRequest().path()).isEqualTo("/api/runs/" + id + "/config/optimizer/name");

        client.deleteConfig(id, "optimizer/name");

        assertThat(client.getConfig(id)).doesNotContainKey("optimizer/name");
        assertThatThrownBy(() -> client.getConfigValue(id, "optimizer/name")).isInstanceOf(DalvaNotFoundException.class)
            .hasMessageContaining("optimizer/name");
    }

    @Test
    void configKeysThatExistAreAConflictWithTheServersList() {
        long id = newRun();
        client.logConfig(id, Map.of("seed", 7));

        assertThatThrownBy(() -> client.logConfig(id, Map.of("seed", 8, "other", 1)))
            .isInstanceOfSatisfying(DalvaConflictException.class, e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.conflicts()).singleElement()
                    .extracting(Conflict::kind, Conflict::path)
                    .containsExactly(Conflict.Kind.CONFIG_EXISTS, "seed");
            });
        assertThat(client.getConfig(id)).containsOnly(Map.entry("seed", 7L));
    }

    @Test
    void getMetricReturnsTheHighestStepOrTheGivenStep() {
        long id = newRun();
        for (int step = 0; step < 3; step++) {
            client.log(id, Map.of("train", Map.of("loss", 1.0 / (step + 1))), step);
        }

        assertThat(client.getMetric(id, "train/loss", null)).isEqualTo(new MetricValue("train/loss", 1.0 / 3, 2));
        assertThat(client.getMetric(id, "train/loss", 0)).isEqualTo(new MetricValue("train/loss", 1.0, 0));
        assertThat(lastRequest().path()).isEqualTo("/api/runs/" + id + "/metrics/train/loss");
        assertThat(lastRequest().query()).isEqualTo("step=0");
    }

    @Test
    void deleteMetricReturnsTheCountRemovedAndAllowsLoggingAgain() {
        long id = newRun();
        for (int step = 0; step < 3; step++) {
            client.log(id, Map.of("loss", 1.0), step);
        }

        assertThat(client.deleteMetric(id, "loss", 1)).isEqualTo(1);
        client.log(id, Map.of("loss", 2.0), 1);
        assertThat(server.series(id, "loss")).containsEntry(1, 2.0);

        assertThat(client.deleteMetric(id, "loss", null)).isEqualTo(3);
        assertThat(server.paths(id)).doesNotContain("loss");
    }

    @Test
    void getRunAndSummary() {
        RunHandle handle = client.initRun(RunInit.builder(project).name("summary").config(Map.of("seed", 1)).build());
        client.log(handle.id(), Map.of("best", 0.9), null);
        client.log(handle.id(), Map.of("loss", 0.3), 0);

        RunInfo run = client.getRun(handle.id());
        assertThat(run.id()).isEqualTo(handle.id());
        assertThat(run.runId()).isEqualTo(handle.runId());
        assertThat(run.name()).isEqualTo("summary");
        assertThat(run.state()).isEqualTo(RunState.RUNNING);
        assertThat(run.forkFrom()).isNull();
        assertThat(run.createdAt()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));

        RunSummary summary = client.getRunSummary(handle.id());
        assertThat(summary.run().runId()).isEqualTo(handle.runId());
        assertThat(summary.metrics()).containsOnly(Map.entry("best", 0.9));
        assertThat(summary.config()).containsOnly(Map.entry("seed", 1L));
    }

    @Test
    void listRunsFiltersByProjectAndPages() {
        RunHandle first = client.initRun(RunInit.builder(project).name("first").build());
        RunHandle second = client.initRun(RunInit.builder(project).name("second").build());
        client.finish(first.id());
        long projectId = client.getRun(first.id()).projectId();

        RunPage all = client.listRuns(RunQuery.builder().projectId(projectId).build());
        assertThat(all.runs()).extracting(RunInfo::runId).containsExactlyInAnyOrder(first.runId(), second.runId());
        assertThat(all.total()).isEqualTo(2);
        assertThat(all.hasMore()).isFalse();
        assertThat(lastRequest().path()).isEqualTo("/api/runs/");

        RunPage page = client
            .listRuns(RunQuery.builder().projectId(projectId).limit(1).sortBy("created_at").ascending(true).build());
        assertThat(page.runs()).extracting(RunInfo::runId).containsExactly(first.runId());
        assertThat(page.hasMore()).isTrue();
        assertThat(page.total()).isEqualTo(2);

        assertThat(client.listRuns(RunQuery.builder().projectId(projectId).state(RunState.COMPLETED).build()).runs())
            .extracting(RunInfo::runId)
            .containsExactly(first.runId());
        assertThat(client.listRuns(RunQuery.builder().projectId(projectId).search("second").build()).runs())
            .extracting(RunInfo::runId)
            .containsExactly(second.runId());
    }

    @Test
    void listProjectsUsesTheTrailingSlash() {
        RunHandle run = client.initRun(RunInit.builder(project).build());
        client.finish(run.id());

        List<ProjectInfo> all = client.listProjects();

        assertThat(all).filteredOn(p -> p.name().equals(project)).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(client.getRun(run.id()).projectId());
            assertThat(p.totalRuns()).isEqualTo(1);
            assertThat(p.completedRuns()).isEqualTo(1);
            assertThat(p.runningRuns()).isZero();
        });
        assertThat(server.requests()).filteredOn(r -> r.path().startsWith("/api/projects"))
            .extracting(RecordedRequest::path)
            .containsOnly("/api/projects/");
    }

    @Test
    void listMetricsGivesEveryPathWithItsType() {
        long id = newRun();
        client.log(id, Map.of("loss", 0.5, "epoch", 1), 0);
        client.log(id, Map.of("best", "ckpt-3"), null);

        assertThat(client.listMetrics(id)).containsExactlyInAnyOrder(new MetricPath("loss", "float_series"),
                new MetricPath("epoch", "int_series"), new MetricPath("best", "string"));
        assertThat(new MetricPath("loss", "float_series").isSeries()).isTrue();
        assertThat(new MetricPath("best", "string").isSeries()).isFalse();
    }

    @Test
    void getMetricValuesPagesWithinAStepRange() {
        long id = newRun();
        List<LogEntry> entries = new java.util.ArrayList<>();
        for (int step = 0; step < 10; step++) {
            entries.add(new LogEntry(Map.of("loss", step / 10.0), step));
        }
        client.logBatch(id, entries);

        MetricPage all = client.getMetricValues(id, "loss", null);
        assertThat(all.data()).extracting(MetricPoint::step).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(all.data()).extracting(MetricPoint::value).startsWith(0.0, 0.1);
        assertThat(all.data()).allSatisfy(p -> {
            assertThat(p.attributeType()).isEqualTo("float_series");
            assertThat(p.timestamp()).isNotNull();
        });
        assertThat(all.hasMore()).isFalse();
        assertThat(all.attributeType()).isEqualTo("float_series");

        MetricPage page = client.getMetricValues(id, "loss", MetricQuery.page(3, 2).steps(1, 8));
        assertThat(page.data()).extracting(MetricPoint::step).containsExactly(3, 4, 5);
        assertThat(page.hasMore()).isTrue();
    }

    @Test
    void initRunForksWithTablesCopiedOrNot() {
        RunHandle source = client.initRun(RunInit.builder(project).name("source").config(Map.of("lr", 0.1)).build());
        client.log(source.id(), Map.of("loss", 0.5), 0);

        RunHandle fork = client
            .initRun(RunInit.builder(project).forkFrom(source.runId()).copyAllTablesOnFork(true).build());
        assertThat(lastRequest().body()).contains("\"fork_from\":\"" + source.runId() + "\"")
            .contains("\"copy_tables_on_fork\":true");
        assertThat(fork.name()).isEqualTo("fork of source");
        assertThat(server.run(fork.id())).hasValueSatisfying(r -> {
            assertThat(r.forkFrom()).isEqualTo(source.id());
            assertThat(r.config()).containsEntry("lr", 0.1);
        });
        assertThat(server.series(fork.id(), "loss")).containsExactly(Map.entry(0, 0.5));

        client.initRun(RunInit.builder(project)
            .forkFrom(source.runId())
            .name("named")
            .copyTablesOnFork(List.of(4L, 5L))
            .build());
        assertThat(lastRequest().body()).contains("\"copy_tables_on_fork\":[4,5]").contains("\"name\":\"named\"");

        assertThatThrownBy(() -> client.initRun(RunInit.builder(project).forkFrom("NOPE-1").build()))
            .isInstanceOf(DalvaNotFoundException.class)
            .hasMessageContaining("NOPE-1");
    }

    @Test
    void collectionUrlsWorkWhenTheServerAlsoServesItsWebUi() {
        // With the UI, a collection URL without its trailing slash would be the UI's 404.
        server.serveWebUi(true);
        try {
            RunHandle run = client.initRun(RunInit.builder(project).build());
            long projectId = client.getRun(run.id()).projectId();

            assertThat(client.listRuns(RunQuery.builder().projectId(projectId).build()).runs()).hasSize(1);
            assertThat(client.listProjects()).extracting(ProjectInfo::name).contains(project);
        }
        finally {
            server.serveWebUi(false);
        }
    }

    @Test
    void pathsWithSpecialCharactersArePercentEncoded() {
        long id = newRun();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("eval/acc top-1 (%)", 0.5);
        metrics.put("q?x#y", 1.0);
        client.log(id, metrics, 0);

        assertThat(client.getMetric(id, "eval/acc top-1 (%)", 0).value()).isEqualTo(0.5);
        assertThat(client.getMetric(id, "q?x#y", 0).value()).isEqualTo(1.0);
    }

    @Test
    void invalidValuesAreRejectedBeforeAnythingIsSent() {
        long id = newRun();
        server.clearRequests();

        assertThatIllegalArgumentException().isThrownBy(() -> client.log(id, Map.of("loss", Double.NaN), 0))
            .withMessageContaining("'loss'");
        assertThatIllegalArgumentException().isThrownBy(() -> client.log(id, Map.of("loss", 1.0), -1))
            .withMessageContaining("step -1");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> client.logBatch(id, List.of(new LogEntry(Map.of("n", 5_000_000_000L), 0))))
            .withMessageContaining("'n'");
        assertThatIllegalArgumentException().isThrownBy(() -> client.logConfig(id, Map.of("lr", Float.NaN)))
            .withMessageContaining("'lr'");
        assertThatIllegalArgumentException().isThrownBy(() -> client.getMetric(id, "", null));

        assertThat(server.requests()).isEmpty();
    }

    @Test
    void serverUrlTrailingSlashAndDefaults() {
        try (DalvaClient slash = DalvaClient.builder().serverUrl(server.url() + "/").build()) {
            assertThat(slash.serverUrl()).isEqualTo(server.url());
            slash.health();
        }
        assertThat(DalvaClient.resolveServerUrl("http://a:1", name -> "http://env:2")).isEqualTo("http://a:1");
        assertThat(DalvaClient.resolveServerUrl(null, name -> name.equals("DALVA_SERVER_URL") ? "http://env:2" : null))
            .isEqualTo("http://env:2");
        assertThat(DalvaClient.resolveServerUrl(null, name -> null)).isEqualTo("http://localhost:8000");
        assertThat(DalvaClient.resolveServerUrl(" ", name -> " ")).isEqualTo("http://localhost:8000");
        assertThatIllegalArgumentException().isThrownBy(() -> DalvaClient.builder().serverUrl("localhost:8000").build())
            .withMessageContaining("localhost:8000");
    }

    @Test
    void timeoutsMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> DalvaClient.builder().readTimeout(Duration.ZERO))
            .withMessageContaining("readTimeout");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> DalvaClient.builder().connectTimeout(Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> DalvaClient.builder().callTimeout(Duration.ofNanos(1)));
    }

    @Test
    void extraHeadersAreSentWithEveryRequest() {
        try (DalvaClient withAuth = DalvaClient.builder()
            .serverUrl(server.url())
            .header("Authorization", "Bearer t0k")
            .header("X-Team", "vision")
            .build()) {
            withAuth.health();
            withAuth.listProjects();
        }

        assertThat(server.requests()).hasSize(2).allSatisfy(r -> {
            assertThat(r.header("Authorization")).isEqualTo("Bearer t0k");
            assertThat(r.header("X-Team")).isEqualTo("vision");
        });
    }

    @Test
    void aClosedClientRefusesCalls() {
        DalvaClient closed = DalvaClient.builder().serverUrl(server.url()).build();
        closed.close();

        assertThatThrownBy(closed::health).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private long newRun() {
        return client.initRun(RunInit.builder(project).build()).id();
    }

    private RecordedRequest lastRequest() {
        List<RecordedRequest> requests = server.requests();
        return requests.get(requests.size() - 1);
    }

}
