package io.dalva.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path tmp;

    @Test
    void eventsAreWrittenInDalvasJournalFormatWithAChecksumAndReadBackWithTheirTypes() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 4096, 1 << 20)) {
            journal.appendRunCreated("RUN-1-a", "demo", "first", Map.of("lr", 0.1), null, null);
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("loss", 1.0);
            metrics.put("epoch", 3);
            metrics.put("done", true);
            metrics.put("phase", "warm-up");
            assertThat(journal.appendMetrics(metrics, 7)).isEqualTo(2);
            journal.appendMetrics(Map.of("summary", 2.5), null);
            journal.appendRunFinished("completed");

            JournalReader reader = journal.reader(0);
            JournalEvent created = reader.next();
            assertThat(created.type()).isEqualTo("run_created");
            assertThat(created.string("project")).isEqualTo("demo");
            assertThat(created.string("run_id")).isEqualTo("RUN-1-a");
            assertThat(created.config()).containsEntry("lr", 0.1);
            JournalEvent logged = reader.next();
            assertThat(logged.seq()).isEqualTo(2);
            assertThat(logged.step()).isEqualTo(7);
            assertThat(logged.metrics()).containsExactly(Map.entry("loss", 1.0), Map.entry("epoch", 3),
                    Map.entry("done", true), Map.entry("phase", "warm-up"));
            assertThat(StandardCharsets.UTF_8.decode(logged.payloadJson()).toString())
                .isEqualTo("{\"metrics\":{\"loss\":1.0,\"epoch\":3,\"done\":true,\"phase\":\"warm-up\"},\"step\":7}");
            assertThat(reader.next().step()).isNull();
            assertThat(reader.next().string("state")).isEqualTo("completed");
            assertThat(reader.next()).isNull();
        }
        List<Path> files = segmentFiles(runDir);
        assertThat(files).singleElement()
            .satisfies(file -> assertThat(file.getFileName().toString()).matches("0{19}1-0{19}4-[0-9a-f]{64}\\.jsonl"));
        byte[] bytes = Files.readAllBytes(files.get(0));
        assertThat(bytes).doesNotContain((byte) 0); // sealed: no padding
        List<String> lines = Files.readAllLines(files.get(0), StandardCharsets.UTF_8);
        Map<?, ?> second = new ObjectMapper().readValue(lines.get(1), Map.class);
        assertThat(new ArrayList<Object>(second.keySet())).containsExactly("version", "seq", "timestamp", "type",
                "payload", "crc");
        assertThat(second.get("version")).isEqualTo(1);
        assertThat((String) second.get("timestamp"))
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
        assertThat(lines.get(1)).contains("\"loss\":1.0").contains("\"epoch\":3");
    }

    @Test
    void anEventCanCarryAPayloadEncodedBeforeAndIsReadBackAsTheSameBytes() throws IOException {
        byte[] payload = "{\"metrics\":{\"a\":{\"b\":1.0}},\"step\":3}".getBytes(StandardCharsets.UTF_8);
        try (Journal journal = Journal.open(tmp.resolve("run"), 4096, 1 << 20)) {
            journal.appendEncoded(JournalEvent.METRICS_LOGGED, payload, 0, payload.length);
            JournalEvent event = journal.reader(0).next();
            byte[] read = new byte[event.payloadJson().remaining()];
            event.payloadJson().get(read);
            assertThat(read).isEqualTo(payload);
            assertThat(event.step()).isEqualTo(3);
        }
    }

    @Test
    void fullSegmentsAreSealedInSeqOrderAndAcknowledgedOnesDeleted() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 512, 1 << 20)) {
            for (int step = 0; step < 100; step++) {
                journal.appendMetrics(Map.of("loss", step * 0.5), step);
            }
            JournalReader reader = journal.reader(0);
            for (int step = 0; step < 100; step++) {
                assertThat(reader.next().step()).isEqualTo(step);
            }
            assertThat(reader.next()).isNull();
            await(() -> sealed(runDir).size() > 5);
            journal.acknowledge(100);
            await(() -> sealed(runDir).isEmpty());
            journal.appendMetrics(Map.of("loss", 0.0), 100);
            assertThat(reader.next().step()).isEqualTo(100);
        }
    }

    @Test
    void reopeningRecoversUndeliveredEventsAndContinuesTheSequence() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 512, 1 << 20)) {
            for (int step = 0; step < 30; step++) {
                journal.appendMetrics(Map.of("loss", (double) step), step);
            }
            journal.acknowledge(12);
        }
        try (Journal journal = Journal.open(runDir, 512, 1 << 20)) {
            assertThat(journal.recoveredSeq()).isEqualTo(30);
            assertThat(journal.deliveredSeq()).isEqualTo(12);
            assertThat(journal.appendMetrics(Map.of("loss", 30.0), 30)).isEqualTo(31);
            assertThat(steps(journal)).containsExactlyElementsOf(IntStream.rangeClosed(12, 30).boxed().toList());
            assertThat(journal.damaged()).isEmpty();
            assertThat(journal.missing()).isEmpty();
        }
    }

    @Test
    void aFolderIsLockedByOneJournalAtATime() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 4096, 1 << 20)) {
            assertThatThrownBy(() -> Journal.open(runDir, 4096, 1 << 20)).isInstanceOf(JournalInUseException.class)
                .hasMessageContaining("in use");
        }
        Journal.open(runDir, 4096, 1 << 20).close();
    }

    @Test
    void aFullJournalDropsAndCountsInsteadOfGrowing() {
        try (Journal journal = Journal.inMemory(512, 1024)) {
            long accepted = 0;
            for (int step = 0; step < 100; step++) {
                if (journal.appendMetrics(Map.of("loss", 1.0), step) > 0) {
                    accepted++;
                }
            }
            assertThat(journal.heldBytes()).isLessThanOrEqualTo(1024);
            assertThat(journal.droppedEvents()).isEqualTo(100 - accepted).isPositive();
            journal.acknowledge(accepted);
            assertThat(journal.appendMetrics(Map.of("loss", 1.0), 100)).isEqualTo(accepted + 1);
        }
    }

    static List<Integer> steps(Journal journal) {
        List<Integer> steps = new ArrayList<>();
        try (JournalReader reader = journal.reader(journal.deliveredSeq())) {
            for (JournalEvent event = reader.next(); event != null; event = reader.next()) {
                steps.add(event.step());
            }
        }
        return steps;
    }

    static List<Path> segmentFiles(Path runDir) throws IOException {
        try (var files = Files.list(runDir.resolve("events"))) {
            return files.sorted().toList();
        }
    }

    static List<Path> sealed(Path runDir) {
        try {
            return segmentFiles(runDir).stream()
                .filter(file -> SegmentFiles.SEALED.matcher(file.getFileName().toString()).matches())
                .toList();
        }
        catch (IOException e) {
            return List.of();
        }
    }

    /** Waits (at most 10 s) for the owner thread to get something done. */
    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s for the journal's owner thread").isLessThan(deadline);
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

}
