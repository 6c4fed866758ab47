package io.dalva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.run.DalvaRun;
import io.dalva.test.DalvaTestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code dalva.jar} ({@code dalva-cli/target/dalva.jar}, found through the
 * system property {@code dalva.cli.jar} that failsafe sets after {@code package}), run as
 * a child process: {@code java -jar dalva.jar ...}.
 */
class DalvaJarIT {

    @TempDir
    Path spool;

    @TempDir
    Path output;

    @Test
    void helpListsTheCommandsAndBadArgumentsExitTwo() throws Exception {
        Result help = dalva("--help");
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).contains("usage: java -jar dalva.jar <command> [arguments]",
                "  replay [DIR] [--server-url URL] [--new-run true] [--timeout DURATION]", "  status [DIR]");

        Result bad = dalva("replay", "--colour", "red");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().lines()).containsExactly(
                "dalva: replay: unknown option --colour; java -jar dalva.jar --help lists the commands and options");
    }

    @Test
    void statusListsASpoolAndReplayDeliversIt() throws Exception {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            SpooledRuns runs = SpooledRuns.leave(server, spool);

            Result status = dalva("status", spool.toString());
            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out())
                .contains("project=cli-created  run=" + runs.created().runId() + "  server=" + server.url()
                        + "  undelivered=" + SpooledRuns.CREATED_EVENTS + " events, " + SpooledRuns.CREATED_VALUES
                        + " values  held=no")
                .contains("project=cli-offline  run=-  server=" + server.url() + "  undelivered="
                        + SpooledRuns.OFFLINE_EVENTS + " events, " + SpooledRuns.OFFLINE_VALUES + " values  held=no");

            server.restart();
            Result replay = dalva("replay", spool.toString(), "--server-url", server.url());

            assertThat(replay.code()).as(replay.out() + replay.err()).isZero();
            runs.assertDelivered(server);
            assertThat(replay.out()).contains(runs.created().runId() + "  outcome=delivered  delivered=50 left=0",
                    "2 run(s), 2 fully delivered, 0 held by a live process; 62 event(s) delivered, 0 left");
            assertThat(spool).isEmptyDirectory();
        }
    }

    @Test
    void aFolderHeldByALiveRunShowsAsHeld() throws Exception {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            DalvaRun live = SpooledRuns.start(server, spool, "cli-live");
            live.log(Map.of("loss", 0.5), 0);
            assertThat(live.flush(Duration.ofSeconds(10))).isTrue();

            Result held = dalva("status", spool.toString());

            assertThat(held.code()).as(held.err()).isZero();
            assertThat(held.out().lines()).containsExactly("1 run folder(s) in " + spool + ":",
                    live.spoolDirectory().getFileName() + "  project=cli-live  run=" + live.runId() + "  server="
                            + server.url() + "  undelivered=0 events, 0 values  held=yes");

            Result replay = dalva("replay", spool.toString());
            assertThat(replay.code()).as("replay exits 1 when a live process holds a folder").isEqualTo(1);
            assertThat(replay.out()).contains("outcome=in-use",
                    "1 run(s), 0 fully delivered, 1 held by a live process");

            live.close();
            Result after = dalva("status", spool.toString());
            assertThat(after.out()).isEqualTo("No run folders in " + spool + ": nothing to replay.\n");
            assertThat(server.series(live.id(), "loss")).containsOnlyKeys(0);
        }
    }

    private record Result(int code, String out, String err) {
    }

    private Result dalva(String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("dalva.cli.jar");
        assertThat(jar).as("system property dalva.cli.jar (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).isRegularFile();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(output, "out", ".txt");
        Path err = Files.createTempFile(output, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("dalva.jar " + String.join(" ", args) + " did not end within 2 minutes");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

}
