package io.dalva.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.client.DalvaClient;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInit;
import io.dalva.internal.journal.FullDiskStorage;
import io.dalva.internal.journal.Journal;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay of spooled runs against real servers: it writes only into the run the spool
 * belongs to, reports every run honestly (delivered, left, damaged, skipped), and deletes
 * nothing it has not delivered.
 */
class SpoolReplayTest {

    static final int STEPS = 20;

    @TempDir
    Path spool;

    DalvaTestServer server;

    final List<DalvaTestServer> others = new ArrayList<>();

    final List<String> progress = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterEach
    void stopServers() {
        server.close();
        others.forEach(DalvaTestServer::close);
    }

    /** A run created on the server, whose steps were logged while it was down. */
    DalvaRun spooledRun() {
        DalvaRun run = DalvaRun.builder()
            .project("alpha")
            .name("spooled")
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .connectTimeout(Duration.ofMillis(200))
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
            .shutdownTimeout(Duration.ofMillis(200))
            .start();
        assertThat(run.flush(Duration.ofSeconds(5))).isTrue();
        server.stop();
        for (int step = 0; step < STEPS; step++) {
            run.log(Map.of("loss", step / 10.0), step);
        }
        run.close();
        assertThat(run.spoolDirectory()).isDirectory();
        return run;
    }

    /** Runs created in project "other" until one has {@code id}. */
    static RunHandle runWithId(DalvaTestServer target, long id) {
        try (DalvaClient client = DalvaClient.builder().serverUrl(target.url()).build()) {
            RunHandle handle;
            do {
                handle = client.initRun(RunInit.builder("other").name("unrelated").build());
            }
            while (handle.id() < id);
            assertThat(handle.id()).isEqualTo(id);
            return handle;
        }
    }

    @Test
    void anotherServerWhoseDatabaseHoldsARunWithTheSameIdIsRefusedUnlessANewRunIsAskedFor() throws IOException {
        DalvaRun run = spooledRun();
        DalvaTestServer other = DalvaTestServer.start();
        others.add(other);
        RunHandle unrelated = runWithId(other, run.id());

        DalvaSpool.Result refused = DalvaSpool.replay(spool, other.url(), Duration.ofSeconds(10), progress::add);
        assertThat(refused.allDelivered()).isFalse();
        assertThat(refused.results()).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(DalvaSpool.Outcome.REFUSED);
            assertThat(result.left()).isGreaterThanOrEqualTo(STEPS);
            assertThat(result.detail()).contains(server.url()).contains("not " + other.url());
        });
        assertThat(other.storedValueCount(unrelated.id())).isZero();
        assertThat(run.spoolDirectory()).isDirectory();

        DalvaSpool.Result moved = DalvaSpool.replay(spool, other.url(), Duration.ofSeconds(10), true, progress::add);
        assertThat(moved.allDelivered()).as(progress.toString()).isTrue();
        assertThat(progress).anyMatch(line -> line.contains("a new run is created on " + other.url()));
        StoredRun created = other.runs()
            .stream()
            .filter(candidate -> candidate.id() != unrelated.id() && candidate.runId().startsWith("ALP-"))
            .findFirst()
            .orElseThrow();
        assertThat(other.series(created.id(), "loss").keySet())
            .containsExactlyElementsOf(IntStream.range(0, STEPS).boxed().toList());
        assertThat(other.storedValueCount(unrelated.id())).isZero();
        assertThat(run.spoolDirectory()).doesNotExist();
    }

    @Test
    void theSameUrlAfterItsDatabaseWasResetIsRefused() {
        DalvaRun run = spooledRun();
        int port = server.port();
        server.close();
        server = DalvaTestServer.start(port); // same URL, empty database
        RunHandle unrelated = runWithId(server, run.id());

        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), progress::add);
        assertThat(result.allDelivered()).isFalse();
        assertThat(result.results()).singleElement().satisfies(run1 -> {
            assertThat(run1.outcome()).isEqualTo(DalvaSpool.Outcome.REFUSED);
            assertThat(run1.detail()).contains("is run " + unrelated.runId() + " of project other");
        });
        assertThat(server.storedValueCount(unrelated.id())).isZero();
        assertThat(server.runs()).extracting(StoredRun::id).containsExactly(unrelated.id()); // no
                                                                                             // run
                                                                                             // created
    }

    @Test
    void theRightServerGetsEverythingAndTheFolderGoes() {
        DalvaRun run = spooledRun();
        server.restart();
        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), progress::add);
        assertThat(result.allDelivered()).as(progress.toString()).isTrue();
        assertThat(result.results()).singleElement().satisfies(one -> {
            assertThat(one.outcome()).isEqualTo(DalvaSpool.Outcome.DELIVERED);
            assertThat(one.delivered()).isEqualTo(STEPS + 1); // and the finish
        });
        assertThat(server.series(run.id(), "loss")).hasSize(STEPS);
        assertThat(run.spoolDirectory()).doesNotExist();
    }

    @Test
    void aFolderALiveProcessHoldsIsSkippedAndNotCountedAsDelivered() throws IOException {
        DalvaRun run = spooledRun();
        server.restart();
        try (Journal held = Journal.open(run.spoolDirectory(), 1 << 20, 256L << 20)) {
            DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), progress::add);
            assertThat(result.allDelivered()).isFalse();
            assertThat(result.completed()).isZero();
            assertThat(result.skipped()).isEqualTo(1);
            assertThat(result.remaining()).isGreaterThanOrEqualTo(STEPS);
        }
        assertThat(server.series(run.id(), "loss")).isEmpty();
    }

    @Test
    void aDamagedManifestIsReportedAndNothingIsSentOrDeleted() throws IOException {
        DalvaRun run = spooledRun();
        server.restart();
        Path manifest = run.spoolDirectory().resolve("manifest.json");
        String text = Files.readString(manifest);
        Files.writeString(manifest, text.replace("\"project\" : \"alpha\"", "\"project\" : \"alphb\""));
        List<Path> before = files(run.spoolDirectory());

        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), progress::add);
        assertThat(result.allDelivered()).isFalse();
        assertThat(result.results()).singleElement().satisfies(one -> {
            assertThat(one.outcome()).isEqualTo(DalvaSpool.Outcome.UNREADABLE);
            assertThat(one.detail()).contains("checksum");
            assertThat(one.left()).isGreaterThanOrEqualTo(STEPS);
        });
        assertThat(files(run.spoolDirectory())).isEqualTo(before);
        assertThat(server.series(run.id(), "loss")).isEmpty();
    }

    @Test
    void aDamagedLineIsReportedAndKeptWhileEverythingElseIsDelivered() throws IOException {
        DalvaRun run = spooledRun();
        server.restart();
        Path segment = files(run.spoolDirectory().resolve("events")).get(0);
        String text = Files.readString(segment);
        int line = text.indexOf("\"step\":7}");
        Files.writeString(segment, text.substring(0, line) + "\"step\":8}" + text.substring(line + 9));

        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), progress::add);
        assertThat(result.allDelivered()).isFalse();
        assertThat(result.completed()).isZero();
        assertThat(result.damaged()).isEqualTo(1);
        // steps 0..19 but 7, and the finish: the damaged step is not counted as delivered
        assertThat(result.delivered()).as(progress.toString()).isEqualTo(STEPS);
        assertThat(result.remaining()).isZero();
        assertThat(result.results()).singleElement().satisfies(one -> {
            assertThat(one.outcome()).isEqualTo(DalvaSpool.Outcome.DAMAGED);
            assertThat(one.fullyDelivered()).isFalse();
            assertThat(one.delivered()).isEqualTo(STEPS);
            assertThat(one.left()).isZero();
            assertThat(one.missing()).isZero();
            // run_created is seq 1, step 0 seq 2, so step 7 is seq 9
            assertThat(one.damage()).singleElement().satisfies(damage -> {
                assertThat(damage.file()).isEqualTo(segment.getFileName().toString());
                assertThat(damage.firstSeq()).isEqualTo(9);
                assertThat(damage.lastSeq()).isEqualTo(9);
                assertThat(damage.events()).isEqualTo(1);
                assertThat(damage.keptIn()).isRegularFile()
                    .hasParent(run.spoolDirectory().resolve("damaged"))
                    .content()
                    .contains("\"step\":8}");
            });
        });
        assertThat(progress).anyMatch(p -> p.contains("damaged, not sent"));
        assertThat(server.series(run.id(), "loss").keySet())
            .containsExactlyElementsOf(IntStream.range(0, STEPS).filter(step -> step != 7).boxed().toList());
        assertThat(server.storedValueCount(run.id())).isEqualTo(STEPS - 1);
        assertThat(run.spoolDirectory().resolve("damaged")).isNotEmptyDirectory();
        assertThat(run.spoolDirectory().resolve("manifest.json")).isRegularFile();

        progress.clear();
        DalvaSpool.Result again = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), progress::add);
        assertThat(again.allDelivered()).isFalse();
        assertThat(again.results()).singleElement().satisfies(one -> {
            assertThat(one.outcome()).as(progress.toString()).isEqualTo(DalvaSpool.Outcome.DAMAGED);
            assertThat(one.delivered()).isZero();
            assertThat(one.left()).isZero();
            assertThat(one.damaged()).isEqualTo(1);
            assertThat(one.damage()).singleElement().satisfies(damage -> {
                assertThat(damage.file()).isEqualTo(segment.getFileName().toString());
                assertThat(damage.firstSeq()).isEqualTo(9);
                assertThat(damage.events()).isEqualTo(1);
            });
        });
        assertThat(server.storedValueCount(run.id())).isEqualTo(STEPS - 1);
        assertThat(run.spoolDirectory().resolve("damaged")).isNotEmptyDirectory();
    }

    @Test
    void aLostSegmentIsReportedMissingAndEverythingAfterItIsDeliveredAndCounted() throws IOException {
        DalvaRun run = DalvaRun.builder()
            .project("alpha")
            .name("lost")
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .spoolSegmentSize(4096)
            .connectTimeout(Duration.ofMillis(200))
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
            .shutdownTimeout(Duration.ofMillis(200))
            .start();
        assertThat(run.flush(Duration.ofSeconds(5))).isTrue();
        server.stop();
        int steps = 100;
        for (int step = 0; step < steps; step++) {
            run.log(Map.of("loss", step / 10.0), step);
        }
        run.close();
        server.restart();
        Path lost = files(run.spoolDirectory().resolve("events")).get(1);
        String[] range = lost.getFileName().toString().split("-");
        long first = Long.parseLong(range[0]);
        long last = Long.parseLong(range[1]);
        Files.delete(lost);

        // a timeout far beyond what delivery takes: the replay must not wait it out
        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(60), progress::add);

        long missing = last - first + 1;
        assertThat(result.allDelivered()).isFalse();
        assertThat(result.results()).singleElement().satisfies(one -> {
            assertThat(one.outcome()).as(progress.toString()).isEqualTo(DalvaSpool.Outcome.DAMAGED);
            assertThat(one.missing()).isEqualTo(missing);
            // every step but the lost ones, and the finish; run_created was delivered
            assertThat(one.delivered()).isEqualTo(steps + 1 - missing);
            assertThat(one.left()).isZero();
            assertThat(one.damaged()).isZero();
        });
        // seq 2 is step 0
        List<Integer> expected = IntStream.range(0, steps)
            .filter(step -> step + 2 < first || step + 2 > last)
            .boxed()
            .toList();
        assertThat(server.series(run.id(), "loss").keySet()).containsExactlyElementsOf(expected);
        assertThat(server.storedValueCount(run.id())).isEqualTo(expected.size());
        assertThat(server.run(run.id()).orElseThrow().state()).isEqualTo("completed");
    }

    @Test
    void aReplayOnAFullDiskReportsItDeletesNothingAndIsNotCountedAsDelivered() throws IOException {
        DalvaRun run = spooledRun();
        server.restart();
        List<Path> before = files(run.spoolDirectory().resolve("events"));

        DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(10), false, progress::add,
                new FullDiskStorage(0));
        assertThat(result.allDelivered()).isFalse();
        assertThat(result.results()).singleElement()
            .satisfies(one -> assertThat(one.detail()).contains("No space left on device"));
        assertThat(files(run.spoolDirectory().resolve("events"))).containsAll(before);
        assertThat(server.series(run.id(), "loss")).hasSize(STEPS); // sent: "already
                                                                    // exists" makes
                                                                    // the next replay
                                                                    // safe
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> !file.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

}
