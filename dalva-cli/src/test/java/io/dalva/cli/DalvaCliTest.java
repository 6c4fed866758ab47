package io.dalva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.run.DalvaRun;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dalva.jar}'s commands, run in-process through {@link DalvaCli#run} against a
 * real {@link DalvaTestServer}.
 */
class DalvaCliTest {

    @TempDir
    Path spool;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void statusListsWhatRunsLeftThenReplayDeliversItAll() throws IOException {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            SpooledRuns runs = SpooledRuns.leave(server, spool);
            Map<Path, String> before = snapshot(spool);

            assertThat(run("status", spool.toString())).as(err()).isZero();

            assertThat(snapshot(spool)).as("status changes nothing").isEqualTo(before);
            assertThat(out().lines()).containsExactly("2 run folder(s) in " + spool + ":",
                    runs.created().spoolDirectory().getFileName() + "  project=cli-created  run="
                            + runs.created().runId() + "  server=" + server.url() + "  undelivered="
                            + SpooledRuns.CREATED_EVENTS + " events, " + SpooledRuns.CREATED_VALUES
                            + " values  held=no",
                    runs.offline().spoolDirectory().getFileName() + "  project=cli-offline  run=-  server="
                            + server.url() + "  undelivered=" + SpooledRuns.OFFLINE_EVENTS + " events, "
                            + SpooledRuns.OFFLINE_VALUES + " values  held=no");
            assertThat(err()).isEmpty();
            out.reset();
            Path one = runs.offline().spoolDirectory();
            assertThat(run("status", one.toString())).isZero();
            assertThat(out().lines()).hasSize(2).first().isEqualTo("1 run folder(s) in " + one + ":");
            assertThat(out()).contains("project=cli-offline");

            server.restart();
            out.reset();
            int code = run("replay", spool.toString(), "--server-url", server.url());

            assertThat(code).as(out() + err()).isZero();
            runs.assertDelivered(server);
            assertThat(out()).contains("2 run(s), 2 fully delivered, 0 held by a live process; "
                    + (SpooledRuns.CREATED_EVENTS + SpooledRuns.OFFLINE_EVENTS)
                    + " event(s) delivered, 0 left, 0 damaged, 0 value(s) rejected");
            assertThat(spool).isEmptyDirectory();

            out.reset();
            assertThat(run("status", spool.toString())).isZero();
            assertThat(out()).isEqualTo("No run folders in " + spool + ": nothing to replay.\n");
        }
    }

    @Test
    void aServerThatDoesNotHoldTheRunIsRefusedUnlessNewRunIsGiven() {
        try (DalvaTestServer first = DalvaTestServer.start(); DalvaTestServer other = DalvaTestServer.start()) {
            SpooledRuns runs = SpooledRuns.leave(first, spool);

            int refused = run("replay", spool.toString(), "--server-url", other.url(), "--new-run", "false");

            assertThat(refused).as(out() + err()).isEqualTo(1);
            assertThat(out()).containsPattern("\\n" + runs.created().runId() + "  outcome=refused  delivered=0 left="
                    + SpooledRuns.CREATED_EVENTS + " ");
            assertThat(other.runs()).extracting(StoredRun::project).containsExactly("cli-offline");

            out.reset();
            int created = run("replay", spool.toString(), "--server-url", other.url(), "--new-run", "true");

            assertThat(created).as(out() + err()).isZero();
            assertThat(spool).isEmptyDirectory();
            StoredRun anew = other.runs()
                .stream()
                .filter(run -> run.project().equals("cli-created"))
                .findFirst()
                .orElseThrow();
            assertThat(anew.state()).isEqualTo("completed");
            // step 0 reached the first server before it stopped; the rest is here, once
            assertThat(other.series(anew.id(), "loss")).hasSize(49).containsOnlyKeys(range(1, 50));
            assertThat(other.series(anew.id(), "acc")).hasSize(49).containsEntry(49, SpooledRuns.acc(49));
            assertThat(other.storedValueCount(anew.id())).isEqualTo(98);
            assertThat(first.storedValueCount(runs.created().id())).isEqualTo(2);
        }
    }

    private static Integer[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).boxed().toArray(Integer[]::new);
    }

    @Test
    void replayExitsOneAndKeepsEverythingWhenTheServerIsUnreachable() throws IOException {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            SpooledRuns.leave(server, spool);
            String closed = "http://127.0.0.1:" + closedPort();

            int code = run("replay", spool.toString(), "--server-url", closed, "--timeout", "300ms");

            assertThat(code).isEqualTo(1);
            assertThat(out()).contains("2 run(s), 0 fully delivered, 0 held by a live process; 0 event(s) delivered, "
                    + (SpooledRuns.CREATED_EVENTS + SpooledRuns.OFFLINE_EVENTS) + " left");
            out.reset();
            assertThat(run("status", spool.toString())).isZero();
            assertThat(out()).contains("project=cli-created",
                    "undelivered=" + SpooledRuns.CREATED_EVENTS + " events, " + SpooledRuns.CREATED_VALUES + " values");
            assertThat(out()).contains("project=cli-offline",
                    "undelivered=" + SpooledRuns.OFFLINE_EVENTS + " events, " + SpooledRuns.OFFLINE_VALUES + " values");
        }
    }

    @Test
    void statusNamesWhatItCannotRead() throws IOException {
        Path broken = Files.createDirectories(spool.resolve("RUN-broken"));
        Files.writeString(broken.resolve("manifest.json"), "{not json");
        try (DalvaTestServer server = DalvaTestServer.start()) {
            DalvaRun run = SpooledRuns.start(server, spool, "cli-torn");
            server.stop();
            run.log(Map.of("loss", 0.5), 0);
            run.close();
            Files.writeString(run.spoolDirectory().resolve("events").resolve("99999999999999999999.jsonl"),
                    "not json\n{\"seq\":1000,\"type\":\"metrics_logged\",\"payload\":{\"metrics\":{\"x\":1.0}}}\n"
                            + "{\"seq\":1001,\"type\":\"metrics_logged\"");

            assertThat(run("status", spool.toString())).isZero();

            assertThat(out().lines()).containsExactly("2 run folder(s) in " + spool + ":",
                    run.spoolDirectory().getFileName() + "  project=cli-torn  run=" + run.runId() + "  server="
                            + server.url() + "  undelivered=3 events, 2 values  held=no  problem=2 unreadable event"
                            + " line(s)",
                    "RUN-broken  project=-  run=-  server=-  undelivered=0 events, 0 values  held=no  problem="
                            + "unreadable manifest: Unexpected character ('n' (code 110)): was expecting double-quote"
                            + " to start field name");
        }
    }

    @Test
    void damagedBytesAreNamedByReplayAndStatusAndKept() throws IOException {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            SpooledRuns runs = SpooledRuns.leave(server, spool);
            Path events = runs.created().spoolDirectory().resolve("events");
            Path segment;
            try (Stream<Path> files = Files.list(events)) {
                segment = files.filter(file -> file.toString().endsWith(".jsonl")).sorted().findFirst().orElseThrow();
            }
            List<String> lines = new ArrayList<>(Files.readAllLines(segment, StandardCharsets.UTF_8));
            int damagedLine = lines.size() / 2;
            lines.set(damagedLine, lines.get(damagedLine).replace("{", "x"));
            Files.write(segment, lines, StandardCharsets.UTF_8);

            assertThat(run("status", events.getParent().toString())).isZero();
            assertThat(out()).contains("undelivered=" + (SpooledRuns.CREATED_EVENTS - 1) + " events",
                    "problem=1 unreadable event line(s)");

            server.restart();
            out.reset();
            assertThat(run("replay", spool.toString())).as("a damaged line is not a full delivery").isEqualTo(1);
            // the damaged event is reported as damaged, with its file and seq, never as
            // delivered
            long damagedSeq = Long.parseLong(lines.get(damagedLine).replaceAll(".*\"seq\":(\\d+),.*", "$1"));
            assertThat(out())
                .containsPattern("\\n" + runs.created().runId() + "  outcome=damaged  delivered="
                        + (SpooledRuns.CREATED_EVENTS - 1) + " left=0 damaged=1 missing=0 rejected=0  detail=")
                .contains(runs.created().runId() + "  damaged, not delivered: " + segment.getFileName() + ": seq "
                        + damagedSeq + ".." + damagedSeq + " (1 event(s), ")
                .contains("2 run(s), 1 fully delivered, 0 held by a live process; "
                        + (SpooledRuns.CREATED_EVENTS - 1 + SpooledRuns.OFFLINE_EVENTS)
                        + " event(s) delivered, 0 left, 1 damaged, 0 value(s) rejected");
            assertThat(server.series(runs.created().id(), "loss")).hasSize(49);
            // 50 steps of loss and acc, but the damaged one
            assertThat(server.storedValueCount(runs.created().id())).isEqualTo(2 * 50 - 2);

            out.reset();
            assertThat(run("status", spool.toString())).isZero();
            assertThat(out().lines()).containsExactly("1 run folder(s) in " + spool + ":",
                    runs.created().spoolDirectory().getFileName() + "  project=cli-created  run="
                            + runs.created().runId() + "  server=" + server.url()
                            + "  undelivered=0 events, 0 values  held=no  problem=1 file(s) of damaged bytes kept in"
                            + " damaged/");
        }
    }

    @Test
    void statusReadsTheCheckedTextDeliveredMarker() throws IOException {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            SpooledRuns runs = SpooledRuns.leave(server, spool);
            Path folder = runs.created().spoolDirectory();
            // run_created (1) and step 0 (2) are delivered; mark steps 1..10 (3..12) as
            // well
            byte[] digits = String.format("%020d", 12).getBytes(StandardCharsets.US_ASCII);
            CRC32C crc = new CRC32C();
            crc.update(digits, 0, digits.length);
            Files.writeString(folder.resolve("delivered"),
                    new String(digits, StandardCharsets.US_ASCII) + String.format(" %08x\n", crc.getValue()));

            assertThat(run("status", folder.toString())).isZero();

            assertThat(out()).contains("undelivered=" + (SpooledRuns.CREATED_EVENTS - 10) + " events, "
                    + (SpooledRuns.CREATED_VALUES - 20) + " values  held=no\n");
        }
    }

    @Test
    void statusOfAnEmptySpoolSaysSo() {
        assertThat(run("status", spool.toString())).isZero();
        assertThat(out()).isEqualTo("No run folders in " + spool + ": nothing to replay.\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void aMissingFolderIsAFailure() {
        Path missing = spool.resolve("nothing-here");
        assertThat(run("status", missing.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("dalva: no spool folder at " + missing + "\n");
        err.reset();
        assertThat(run("replay", missing.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("dalva: no spool folder at " + missing + "\n");
    }

    @Test
    void badArgumentsExitTwoWithOneLine() {
        assertBadArguments("a command is needed: replay, status");
        assertBadArguments("unknown command 'nope' (commands: replay, status)", "nope");
        assertBadArguments("replay: unknown option --color", "replay", "--color", "red");
        assertBadArguments("replay: option --server-url needs a value", "replay", "--server-url");
        assertBadArguments("replay: --timeout must be a duration like 500ms, 30s, 10m or PT1M, was 'soon'", "replay",
                "--timeout", "soon");
        assertBadArguments("replay: --timeout must not be negative, was '-5s'", "replay", "--timeout=-5s");
        assertBadArguments("replay: option --timeout is given twice", "replay", "--timeout", "1s", "--timeout", "2s");
        assertBadArguments("replay: --new-run must be true or false, was 'yes'", "replay", "--new-run=yes");
        assertBadArguments("status: one spool folder at most, got a b", "status", "a", "b");
        assertBadArguments("status: unknown option --server-url", "status", "--server-url", "http://x");
        assertThat(out()).isEmpty();
    }

    @Test
    void helpListsTheCommandsAndOptions() {
        for (String[] args : new String[][] { { "--help" }, { "help" }, { "replay", "--help" } }) {
            out.reset();
            assertThat(run(args)).isZero();
            assertThat(out()).contains("usage: java -jar dalva.jar <command> [arguments]",
                    "  replay [DIR] [--server-url URL] [--new-run true] [--timeout DURATION]", "  status [DIR]",
                    "--server-url URL", "--new-run true ", "--timeout DURATION", "(default 10m)", "--help");
        }
        assertThat(err()).isEmpty();
    }

    private void assertBadArguments(String message, String... args) {
        err.reset();
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(err())
            .isEqualTo("dalva: " + message + "; java -jar dalva.jar --help lists the commands and options" + "\n");
    }

    /** Every file under {@code dir} with its size and modification time. */
    static Map<Path, String> snapshot(Path dir) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(path, Files.size(path) + " " + Files.getLastModifiedTime(path) + " "
                        + java.util.Arrays.hashCode(Files.readAllBytes(path)));
            }
        }
        return files;
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private int run(String... args) {
        return DalvaCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

}
