package io.dalva.run;

import io.dalva.client.Conflict;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.dalva.test.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resume, fork and {@link DalvaRun#lastStep()} over HTTP against {@link DalvaTestServer}.
 */
@ExtendWith(DalvaTestServerExtension.class)
class DalvaRunResumeTest {

    private static final AtomicInteger projects = new AtomicInteger();

    private DalvaTestServer server;

    private String project;

    @BeforeEach
    void setUp(DalvaTestServer server) {
        this.server = server;
        this.project = "resume-test-" + projects.incrementAndGet();
        server.resetFaults();
    }

    @Test
    void resumeContinuesTheSameRunAfterItsLastStep() {
        long id;
        String runId;
        try (DalvaRun first = builder().name("long job").config(Map.of("lr", 0.1)).start()) {
            id = first.id();
            runId = first.runId();
            for (int step = 0; step < 5; step++) {
                first.log(Map.of("loss", 1.0 / (step + 1)), step);
            }
        }
        assertThat(server.run(id)).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo("completed"));

        try (DalvaRun resumed = builder().resumeFrom(runId).config(Map.of("lr", 0.1)).start()) {
            assertThat(resumed.id()).isEqualTo(id);
            assertThat(resumed.runId()).isEqualTo(runId);
            assertThat(resumed.name()).isEqualTo("long job");
            assertThat(server.run(id)).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo("running"));
            int next = resumed.lastStep().orElse(-1) + 1;
            assertThat(next).isEqualTo(5);
            resumed.log(Map.of("loss", 0.1), next);
        }
        assertThat(server.series(id, "loss")).containsOnlyKeys(0, 1, 2, 3, 4, 5);
        assertThat(server.runs()).filteredOn(r -> r.project().equals(project)).hasSize(1);
    }

    @Test
    void resumingAMissingRunSaysSoAndSendsNoInit() {
        String existing;
        try (DalvaRun run = builder().start()) {
            existing = run.runId();
        }
        server.clearRequests();

        assertThatThrownBy(() -> builder().resumeFrom("DEM-7").start()).isInstanceOf(DalvaNotFoundException.class)
            .hasMessage("run DEM-7 not found in project " + project);
        assertThatThrownBy(() -> DalvaRun.builder()
            .project("no-such-project-" + project)
            .serverUrl(server.url())
            .resumeFrom(existing)
            .start()).isInstanceOf(DalvaNotFoundException.class)
            .hasMessage("run " + existing + " not found in project no-such-project-" + project);
        assertThat(server.requests()).noneMatch(r -> r.path().equals("/api/runs/init"));
    }

    @Test
    void resumingARunOfAnotherProjectIsNotFound() {
        String other;
        try (DalvaRun run = DalvaRun.builder().project(project + "-other").serverUrl(server.url()).start()) {
            other = run.runId();
        }
        try (DalvaRun mine = builder().start()) {
            assertThat(mine.runId()).isNotEqualTo(other);
        }

        assertThatThrownBy(() -> builder().resumeFrom(other).start()).isInstanceOf(DalvaNotFoundException.class)
            .hasMessage("run " + other + " not found in project " + project);
    }

    @Test
    void resumeSendsOnlyTheMissingConfigKeys() {
        long id;
        String runId;
        try (DalvaRun run = builder()
            .config(Map.of("lr", 0.1, "model", Map.of("layers", 4), "betas", List.of(0.9, 0.99)))
            .start()) {
            id = run.id();
            runId = run.runId();
        }
        server.clearRequests();

        try (DalvaRun resumed = builder().resumeFrom(runId)
            .config(Map.of("lr", 0.1, "model", Map.of("layers", 4L), "betas", List.of(0.9, 0.99), "epochs", 20))
            .start()) {
            assertThat(resumed.getConfig()).containsEntry("epochs", 20L).containsEntry("lr", 0.1);
        }

        RecordedRequest init = server.requests()
            .stream()
            .filter(r -> r.path().equals("/api/runs/init"))
            .findFirst()
            .orElseThrow();
        assertThat(init.body()).contains("\"resume_from\":\"" + runId + "\"").contains("\"config\":{\"epochs\":20}");
        assertThat(server.run(id)).hasValueSatisfying(r -> assertThat(r.config()).containsEntry("epochs", 20L));
    }

    @Test
    void resumeWithTheSameConfigSendsNoConfig() {
        String runId;
        try (DalvaRun run = builder().config(Map.of("lr", 0.1f, "seed", 3)).start()) {
            runId = run.runId();
        }
        server.clearRequests();

        try (DalvaRun resumed = builder().resumeFrom(runId).config(Map.of("lr", 0.1f, "seed", 3)).start()) {
            assertThat(resumed.runId()).isEqualTo(runId);
        }
        assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/runs/init"))
            .singleElement()
            .satisfies(r -> assertThat(r.body()).doesNotContain("config"));
    }

    @Test
    void resumeWithADifferentValueIsAConflictNamingTheKey() {
        long id;
        String runId;
        try (DalvaRun run = builder().config(Map.of("lr", 0.1)).start()) {
            id = run.id();
            runId = run.runId();
        }
        server.clearRequests();

        assertThatThrownBy(() -> builder().resumeFrom(runId).config(Map.of("lr", 0.2, "epochs", 3)).start())
            .isInstanceOfSatisfying(DalvaConflictException.class, e -> {
                assertThat(e.conflicts()).containsExactly(new Conflict(null, "lr", null, Conflict.Kind.CONFIG_EXISTS,
                        "config key 'lr' is 0.1 in run " + runId + ", not 0.2"));
                assertThat(e.getMessage()).contains("'lr'");
            });
        assertThat(server.requests()).noneMatch(r -> r.path().equals("/api/runs/init"));
        assertThat(server.run(id)).hasValueSatisfying(r -> {
            assertThat(r.state()).isEqualTo("completed");
            assertThat(r.config()).containsOnly(Map.entry("lr", 0.1));
        });
    }

    @Test
    void forkCopiesConfigAndMetricsIntoANewRun() {
        String source;
        long sourceId;
        try (DalvaRun run = builder().name("base").config(Map.of("lr", 0.1)).start()) {
            source = run.runId();
            sourceId = run.id();
            run.log(Map.of("loss", 0.5), 0);
            run.log(Map.of("loss", 0.4), 1);
        }

        try (DalvaRun fork = builder().forkFrom(source).start()) {
            assertThat(fork.id()).isNotEqualTo(sourceId);
            assertThat(fork.name()).isEqualTo("fork of base");
            assertThat(fork.getConfig()).containsEntry("lr", 0.1);
            assertThat(fork.lastStep()).hasValue(1);
            fork.log(Map.of("loss", 0.3), 2);
            assertThat(server.run(fork.id())).hasValueSatisfying(r -> assertThat(r.forkFrom()).isEqualTo(sourceId));
        }
        assertThat(server.series(sourceId, "loss")).containsOnlyKeys(0, 1);
    }

    @Test
    void forkingAMissingRunIsNotFound() {
        assertThatThrownBy(() -> builder().forkFrom("NOP-1").start()).isInstanceOf(DalvaNotFoundException.class)
            .hasMessageContaining("NOP-1");
    }

    @Test
    void lastStepIsTheHighestStepOfAnySeriesPath() {
        try (DalvaRun run = builder().start()) {
            assertThat(run.lastStep()).isEmpty();

            run.log(Map.of("best", 0.9));
            assertThat(run.lastStep()).isEmpty();

            run.log(Map.of("train/loss", 0.5, "eval/loss", 0.6), 3);
            run.log(Map.of("train/loss", 0.4), 7);
            run.log(Map.of("eval/loss", 0.5), 5);
            assertThat(run.lastStep()).isEqualTo(OptionalInt.of(7));
        }
    }

    private DalvaRun.Builder builder() {
        return DalvaRun.builder().project(project).serverUrl(server.url());
    }

}
