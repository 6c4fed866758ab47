package io.dalva.examples;

import io.dalva.client.DalvaUnreachableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import io.dalva.test.StoredRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The examples jar's commands, run in-process against {@link DalvaTestServer}. */
@ExtendWith(DalvaTestServerExtension.class)
class ExamplesTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void trainingLogsEveryStepFinishesTheRunAndReportsWhatTheServerHolds(DalvaTestServer server) {
        int code = run("training", "--server-url", server.url(), "--project", "demo-test", "--steps", "25", "--pace",
                "0");

        assertThat(code).as(err()).isZero();
        StoredRun run = server.runs().stream().filter(r -> r.project().equals("demo-test")).findFirst().orElseThrow();
        assertThat(run.state()).isEqualTo("completed");
        assertThat(run.config()).containsEntry("optimizer", "adam").containsEntry("model/layers", 4L);
        assertThat(server.paths(run.id())).containsExactlyInAnyOrder("train.loss/value", "train.accuracy/value",
                "train.batch/count", "train.batch/sum", "train.batch/mean", "train.batch/max",
                "train.samples/dataset=mnist∕train/count", "train.samples/dataset=mnist∕train/total", "lr",
                "final/loss", "final/accuracy");
        for (String path : server.paths(run.id())) {
            if (!path.startsWith("final/")) {
                assertThat(server.series(run.id(), path)).as(path).hasSize(25).containsKeys(0, 24);
                assertThat(server.attributeType(run.id(), path)).as(path).isEqualTo("float_series");
            }
        }
        // the registry's manual steps are the training steps: each holds exactly its 4
        // batches of 64 samples
        assertThat(server.series(run.id(), "train.samples/dataset=mnist∕train/count").values()).containsOnly(256.0);
        assertThat(server.series(run.id(), "train.batch/count").values()).containsOnly(4.0);
        assertThat(server.series(run.id(), "train.samples/dataset=mnist∕train/total")).containsEntry(24, 25 * 256.0);
        assertThat(out()).contains("Run " + run.runId() + " (id " + run.id() + ")")
            .containsPattern("train.loss/value +float_series +25 steps \\(0\\.\\.24\\)")
            .containsPattern("final/loss +float +0\\.\\d{4}")
            .containsPattern("loss [▁▂▃▄▅▆▇█]{25} ");
    }

    @Test
    void trainingInTimedModePublishesOnTheRegistrysScheduleAndLosesNoSample(DalvaTestServer server) {
        int code = run("training", "--server-url", server.url(), "--project", "demo-timed", "--steps", "20", "--pace",
                "20ms", "--mode", "timed", "--step", "100ms");

        assertThat(code).as(err()).isZero();
        StoredRun run = server.runs().stream().filter(r -> r.project().equals("demo-timed")).findFirst().orElseThrow();
        assertThat(run.state()).isEqualTo("completed");
        assertThat(server.series(run.id(), "lr")).hasSize(20);
        var samples = server.series(run.id(), "train.samples/dataset=mnist∕train/count");
        assertThat(samples.size()).isGreaterThanOrEqualTo(2);
        assertThat(samples.keySet())
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, samples.size()).boxed().toList());
        assertThat(samples.values().stream().mapToDouble(v -> (Double) v).sum()).isEqualTo(20 * 256.0);
        assertThat(out()).contains("meters published every 100 ms");
    }

    @Test
    void trainingFailsClearlyWhenTheServerIsUnreachable() throws IOException {
        int port = closedPort();

        int code = run("training", "--server-url", "http://127.0.0.1:" + port, "--steps", "3");

        assertThat(code).isEqualTo(1);
        assertThat(err()).startsWith("error: cannot reach Dalva at http://127.0.0.1:" + port);
    }

    @Test
    void trainingRidesOutAServerFailingMidway(DalvaTestServer server) {
        server.failNext(2, 500, "/log/batch$");

        int code = run("training", "--server-url", server.url(), "--project", "demo-retry", "--steps", "5", "--pace",
                "0");

        assertThat(code).isEqualTo(0);
        assertThat(server.requests()).filteredOn(r -> r.status() == 500).hasSize(2);
        assertThat(server.runs()).filteredOn(r -> r.project().equals("demo-retry")).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo("completed");
            assertThat(server.series(r.id(), "train.loss/value")).containsOnlyKeys(0, 1, 2, 3, 4);
        });
    }

    @Test
    void withoutAServerUrlTrainingUsesTheLocalServerWhenOneAnswers(DalvaTestServer server) throws Exception {
        TrainingDemo demo = new TrainingDemo(server.url(), name -> null);

        int code = demo.run(options("--project", "demo-local", "--steps", "3", "--pace", "0"), printer(out),
                printer(err));

        assertThat(code).isZero();
        assertThat(out()).doesNotContain("embedded");
        assertThat(server.runs()).filteredOn(r -> r.project().equals("demo-local"))
            .singleElement()
            .satisfies(r -> assertThat(server.series(r.id(), "train.loss/value")).hasSize(3));
    }

    @Test
    void withoutAServerUrlOrALocalServerTrainingStartsAnEmbeddedOne(DalvaTestServer server) throws Exception {
        String closed = "http://127.0.0.1:" + closedPort();
        TrainingDemo demo = new TrainingDemo(closed, name -> null);

        int code = demo.run(options("--steps", "4", "--pace", "0"), printer(out), printer(err));

        assertThat(code).as(err()).isZero();
        assertThat(out())
            .startsWith("No Dalva server answers at " + closed
                    + ": started an embedded DalvaTestServer at http://127.0.0.1:")
            .containsPattern("train.loss/value +float_series +4 steps \\(0\\.\\.3\\)");
        assertThat(server.runs()).noneMatch(r -> r.project().equals("dalva-demo"));
    }

    @Test
    void theEnvironmentsServerUrlIsUsedWithoutFallback() throws Exception {
        String closed = "http://127.0.0.1:" + closedPort();
        TrainingDemo demo = new TrainingDemo(closed, name -> name.equals("DALVA_SERVER_URL") ? closed : null);

        assertThatThrownBy(() -> demo.run(options("--steps", "1"), printer(out), printer(err)))
            .isInstanceOf(DalvaUnreachableException.class)
            .hasMessageContaining(closed);
        assertThat(out()).doesNotContain("embedded");
    }

    @Test
    void badUsageExitsWithTwoAndSaysWhy() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("usage: java -jar dalva-examples.jar <command>").contains("training");

        err.reset();
        assertThat(run("nope")).isEqualTo(2);
        assertThat(err()).startsWith("error: unknown command 'nope'");

        err.reset();
        assertThat(run("training", "--steps", "0")).isEqualTo(2);
        assertThat(err()).contains("--steps must be between 1 and");

        err.reset();
        assertThat(run("training", "--pace", "soon")).isEqualTo(2);
        assertThat(err()).contains("--pace must be a duration");

        err.reset();
        assertThat(run("training", "--mode", "sometimes")).isEqualTo(2);
        assertThat(err()).contains("--mode must be manual or timed");

        err.reset();
        assertThat(run("training", "--color", "red")).isEqualTo(2);
        assertThat(err()).contains("unknown option --color");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("help")).isZero();
        assertThat(out()).contains("training [--server-url URL] [--project NAME] [--steps N] [--pace DURATION]"
                + " [--mode manual|timed] [--step DURATION]");
    }

    private static Options options(String... args) {
        return Options.parse(List.of(args), new TrainingDemo().options());
    }

    private static PrintStream printer(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private int run(String... args) {
        return Examples.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

}
