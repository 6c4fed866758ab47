package io.dalva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.run.DalvaRun;
import io.dalva.test.DalvaTestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay DIR}: what a run left in its spool reaches the server, with progress
 * output.
 */
class ReplayCommandTest {

    @TempDir
    Path spool;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void replayDeliversWhatARunLeftAndDeletesItsFolder() {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            DalvaRun run = DalvaRun.builder()
                .project("replay-demo")
                .serverUrl(server.url())
                .spoolDirectory(spool)
                .shutdownTimeout(Duration.ofMillis(200))
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .start();
            run.log(Map.of("loss", 1.0), 0);
            assertThat(run.flush(Duration.ofSeconds(10))).isTrue();
            server.stop();
            for (int step = 1; step < 50; step++) {
                run.log(Map.of("loss", 1.0 / (step + 1)), step);
            }
            run.close(); // the server is down: the rest stays in the spool
            assertThat(server.series(run.id(), "loss")).hasSize(1);
            server.restart();

            int code = run("replay", spool.toString());

            assertThat(code).as(err()).isZero();
            assertThat(out()).contains(run.runId() + " (project replay-demo): 50 event(s) to deliver")
                .contains(run.runId() + ": done, 50 event(s) delivered")
                .contains("1 run(s), 1 fully delivered; 50 event(s) delivered, 0 left, 0 value(s) rejected");
            assertThat(server.series(run.id(), "loss")).hasSize(50);
            assertThat(server.run(run.id()).orElseThrow().state()).isEqualTo("completed");
            assertThat(spool).isEmptyDirectory();
        }
    }

    @Test
    void aMissingFolderIsAClearFailure() {
        assertThat(run("replay", spool.resolve("nothing-here").toString())).isEqualTo(1);
        assertThat(err()).startsWith("error: no spool folder at ");
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
