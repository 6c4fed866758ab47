package io.dalva.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Journal#delete()}: the folder stays locked until everything in it is gone, its
 * lock file included, and a journal never deletes a folder it no longer holds.
 */
class JournalDeleteTest {

    static final int ITERATIONS = 10;

    static final int EVENTS = 2_000;

    @TempDir
    Path spool;

    @Test
    void noOtherProcessTakesTheFolderWhileItIsDeletedAndNoLockFileIsLeft() throws Exception {
        Path dir = spool.resolve("RUN-deleted");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockProbeMain.class.getName(), dir.toString());
        builder.redirectErrorStream(true);
        Process probe = builder.start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("READY");
            for (int i = 0; i < ITERATIONS; i++) {
                Journal journal = openBesideTheProbe(dir);
                SpoolManifest.create("alpha", "deleted", "http://localhost:1").write(dir);
                for (int event = 0; event < EVENTS; event++) {
                    journal.appendMetrics(Map.of("loss", event / 10.0), event);
                }
                journal.acknowledge(EVENTS / 2); // half delivered: the owner deletes some
                journal.delete();
                assertThat(dir).as("iteration " + i + ": nothing left, the lock file included").doesNotExist();
            }
            probe.getOutputStream().close();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                output.add(line);
            }
        }
        finally {
            if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
            }
        }
        assertThat(probe.exitValue()).as(output.toString()).isZero();
        assertThat(output).as("the other process tried: it found the lock file").anySatisfy(line -> {
            assertThat(line).startsWith("OPENED ");
            assertThat(Long.parseLong(line.substring("OPENED ".length()))).isPositive();
        });
        assertThat(output).as("the other process never held the lock of a folder still holding its manifest")
            .contains("WITH_MANIFEST 0");
    }

    @Test
    void aClosedJournalNeverDeletesTheFolderAnotherJournalHoldsNow() throws IOException {
        Path dir = spool.resolve("RUN-reopened");
        Journal first = Journal.open(dir, 4096, 1 << 20);
        first.appendMetrics(Map.of("loss", 1.0), 0);
        first.close();
        try (Journal second = Journal.open(dir, 4096, 1 << 20)) {
            assertThat(second.lastSeq()).isEqualTo(1);
            second.appendMetrics(Map.of("loss", 2.0), 1);

            first.delete();

            assertThat(dir.resolve(Journal.LOCK)).isRegularFile();
            assertThat(dir.resolve(Journal.EVENTS)).isNotEmptyDirectory();
        }
        try (Journal third = Journal.open(dir, 4096, 1 << 20)) {
            assertThat(third.lastSeq()).isEqualTo(2);
        }
    }

    @Test
    void aClosedJournalDeletesNothingSinceTheFolderMayBeAnotherJournalsNow() throws IOException {
        Path dir = spool.resolve("RUN-closed");
        Journal first = Journal.open(dir, 4096, 1 << 20);
        first.appendMetrics(Map.of("loss", 1.0), 0);
        first.close();
        try (Journal second = Journal.open(dir, 4096, 1 << 20)) {
            second.appendMetrics(Map.of("loss", 2.0), 1);
        }

        first.delete();

        try (Journal third = Journal.open(dir, 4096, 1 << 20)) {
            assertThat(third.lastSeq()).isEqualTo(2);
        }
    }

    @Test
    void aFolderWithDamagedBytesKeepsThemItsManifestAndItsDeliveredMarker() throws IOException {
        Path dir = spool.resolve("RUN-damaged");
        try (Journal journal = Journal.open(dir, 4096, 1 << 20)) {
            SpoolManifest.create("alpha", "damaged", "http://localhost:1").write(dir);
            for (int event = 0; event < 3; event++) {
                journal.appendMetrics(Map.of("loss", event / 10.0), event);
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir.resolve(Journal.EVENTS))) {
            segment = files.filter(file -> file.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        String text = Files.readString(segment);
        Files.writeString(segment, text.replaceFirst("\"step\":1}", "\"step\":7}"));

        Journal reopened = Journal.open(dir, 4096, 1 << 20, Duration.ofSeconds(1), JournalStorage.DEFAULT);
        assertThat(reopened.damaged()).singleElement().satisfies(range -> assertThat(range.events()).isEqualTo(1));
        reopened.acknowledge(3);
        reopened.delete();

        assertThat(dir.resolve(Journal.EVENTS)).doesNotExist();
        assertThat(dir.resolve(Journal.DAMAGED)).isNotEmptyDirectory();
        assertThat(dir.resolve(SpoolManifest.FILE)).isRegularFile();
        assertThat(DeliveredMarker.read(dir.resolve(Journal.DELIVERED))).isEqualTo(3);
        try (Journal again = Journal.open(dir, 4096, 1 << 20)) {
            assertThat(again.deliveredSeq()).isEqualTo(3);
            assertThat(again.lastSeq()).isEqualTo(3);
        }
    }

    /**
     * Opens the journal; the probe may hold the lock for an instant (the folder is new:
     * it holds nothing yet), so a refusal is retried.
     */
    static Journal openBesideTheProbe(Path dir) throws IOException, InterruptedException {
        for (int attempt = 0;; attempt++) {
            try {
                return Journal.open(dir, 4096, 256L << 20);
            }
            catch (JournalInUseException e) {
                if (attempt == 1000) {
                    throw e;
                }
                Thread.sleep(1);
            }
        }
    }

}
