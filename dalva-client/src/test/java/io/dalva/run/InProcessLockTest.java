package io.dalva.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.test.DalvaTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay or a status in the JVM that runs a live run leaves that run's folder locked
 * for other processes: on Linux closing a second handle on the lock file would release
 * the run's lock, so neither opens it. Another process is a child JVM here.
 */
class InProcessLockTest {

    @TempDir
    Path spool;

    DalvaTestServer server;

    DalvaRun run;

    @BeforeEach
    void startLiveRunWithTheServerDown() {
        server = DalvaTestServer.start();
        run = DalvaRun.builder()
            .project("alpha")
            .name("live")
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .connectTimeout(Duration.ofMillis(200))
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
            .shutdownTimeout(Duration.ofMillis(200))
            .start();
        assertThat(run.flush(Duration.ofSeconds(5))).isTrue();
        server.stop();
        for (int step = 0; step < 10; step++) {
            run.log(Map.of("loss", step / 10.0), step);
        }
        assertThat(heldInAChildJvm()).as("before any probe in this JVM").containsExactly(true);
    }

    @AfterEach
    void stop() {
        run.close();
        server.close();
    }

    @Test
    void anInProcessReplaySkipsTheLiveRunAndLeavesItLocked() {
        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(2), line -> {
        });
        assertThat(result.results()).singleElement().satisfies(runResult -> {
            assertThat(runResult.folder().getFileName()).isEqualTo(run.spoolDirectory().getFileName());
            assertThat(runResult.outcome()).isEqualTo(DalvaSpool.Outcome.IN_USE);
        });
        assertThat(heldInAChildJvm()).as("after a replay in this JVM").containsExactly(true);
        assertThat(DalvaSpool.replay(spool, null, Duration.ofSeconds(2), line -> {
        }).skipped()).isEqualTo(1);
    }

    @Test
    void anInProcessStatusReportsTheLiveRunHeldAndLeavesItLocked() {
        assertThat(SpoolStatus.list(spool)).extracting(SpoolStatus::held).containsExactly(true);
        assertThat(heldInAChildJvm()).as("after a status in this JVM").containsExactly(true);
    }

    @Test
    void theFolderIsFreeOnceTheRunIsClosed() {
        assertThat(SpoolStatus.list(spool)).extracting(SpoolStatus::held).containsExactly(true);
        run.close();
        assertThat(SpoolStatus.list(spool)).extracting(SpoolStatus::held).containsExactly(false);
        assertThat(heldInAChildJvm()).containsExactly(false);
    }

    /** What a child JVM's {@link SpoolStatus} says of each folder of the spool. */
    List<Boolean> heldInAChildJvm() {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolStatusMain.class.getName(), spool.toString());
        builder.redirectErrorStream(true);
        List<Boolean> held = new ArrayList<>();
        List<String> output = new ArrayList<>();
        try {
            Process child = builder.start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    output.add(line);
                    if (line.startsWith("HELD ")) {
                        held.add(Boolean.parseBoolean(line.split(" ", 3)[1]));
                    }
                }
            }
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("the child JVM did not end: " + output);
            }
            assertThat(child.exitValue()).as(output.toString()).isZero();
        }
        catch (IOException e) {
            throw new AssertionError("cannot start the child JVM", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return held;
    }

}
