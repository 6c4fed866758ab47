package io.dalva.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool a run killed with SIGKILL leaves, as Dalva's own readers see it: they take
 * every line of every {@code events/*.jsonl} file strictly (the Python SDK's resume and
 * fork fail on one NUL byte), so the segments a process has not sealed (preallocated,
 * padded with zeros) are never {@code *.jsonl} files, and every open of the folder (a
 * replay here; a resume runs the same recovery) seals what the killed process left.
 */
class KilledSpoolTest {

    static final int STEPS = 300;

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path spool;

    @Test
    void aKilledSpoolHoldsNoPaddingForDalvasReadersAndEveryOpenSealsWhatTheProcessLeft() throws Exception {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            server.stop(); // nothing is delivered: the spool holds the whole run
            killAfterLogging(server.url());
            Path folder;
            try (Stream<Path> folders = Files.list(spool)) {
                folder = folders.findFirst().orElseThrow();
            }
            Path events = folder.resolve("events");

            // killed: the unsealed segment holds every event, padded; readers see none of
            // it
            assertThat(unsealed(events)).isNotEmpty()
                .allSatisfy(file -> assertThat(Files.readAllBytes(file)).contains((byte) 0));
            assertThat(dalvaReads(events)).isEmpty();
            assertThat(SpoolStatus.list(spool)).singleElement()
                .satisfies(status -> assertThat(status.events()).isEqualTo(STEPS + 1)); // run_created

            // opened by a replay (the server is still down): recovery sealed the events
            List<List<Long>> whileOpen = new ArrayList<>();
            DalvaSpool.Result failed = DalvaSpool.replay(spool, null, Duration.ofMillis(1500), line -> {
                if (line.contains("event(s) to deliver")) {
                    whileOpen.add(dalvaReads(events));
                }
            });
            assertThat(failed.allDelivered()).isFalse();
            assertThat(whileOpen).singleElement()
                .as("what Dalva's readers find while the journal is open")
                .isEqualTo(LongStream.rangeClosed(1, STEPS + 1).boxed().toList());
            // closed: the failed finish the replay recorded is sealed too
            assertThat(dalvaReads(events)).isEqualTo(LongStream.rangeClosed(1, STEPS + 2).boxed().toList());
            assertThat(unsealed(events)).isEmpty();

            server.restart();
            DalvaSpool.Result delivered = DalvaSpool.replay(spool, null, Duration.ofSeconds(20), line -> {
            });
            assertThat(delivered.allDelivered()).isTrue();
            StoredRun run = server.runs()
                .stream()
                .filter(r -> r.project().equals("reliability"))
                .findFirst()
                .orElseThrow();
            assertThat(server.series(run.id(), "loss")).hasSize(STEPS);
            assertThat(server.storedValueCount(run.id())).isEqualTo(2 * STEPS);
            assertThat(run.state()).isEqualTo("failed");
            assertThat(spool).isEmptyDirectory();
        }
    }

    /**
     * Starts {@link KilledRunMain} and kills it with SIGKILL once its last log()
     * returned.
     */
    void killAfterLogging(String serverUrl) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KilledRunMain.class.getName(), serverUrl,
                spool.toString(), String.valueOf(STEPS));
        builder.redirectErrorStream(true);
        Process child = builder.start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                output.add(line);
                if (line.startsWith("LOGGED ")) {
                    child.destroyForcibly();
                    break;
                }
            }
        }
        finally {
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as(output.toString()).isEqualTo(137);
    }

    /** The segments not sealed yet. */
    static List<Path> unsealed(Path events) throws IOException {
        try (Stream<Path> files = Files.list(events)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".open")).toList();
        }
    }

    /**
     * The seqs Dalva's Python SDK reads from a run's events, the way its
     * {@code iter_events} does: every {@code *.jsonl} file (dot files included), in name
     * order, every line that is not blank parsed strictly as a JSON event; fails as it
     * does on anything else (a NUL byte, a partial line).
     */
    static List<Long> dalvaReads(Path events) {
        List<Long> seqs = new ArrayList<>();
        try (Stream<Path> files = Files.list(events)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode event = JSON.readTree(line);
                    assertThat(event.isObject()).as(file + ": " + line).isTrue();
                    assertThat(event.has("type") && event.has("payload")).as(file + ": " + line).isTrue();
                    seqs.add(event.get("seq").asLong());
                }
            }
        }
        catch (IOException e) {
            throw new AssertionError("Dalva's reader fails on " + events + ": " + e.getMessage(), e);
        }
        return seqs;
    }

}
