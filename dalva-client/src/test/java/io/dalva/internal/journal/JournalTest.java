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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path tmp;

    @Test
    void eventsAreWrittenInDalvasJournalFormatAndReadBackWithTheirTypes() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 4096, 1 << 20)) {
            journal.appendRunCreated("demo", "first", Map.of("lr", 0.1), null, null);
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("loss", 1.0);
            metrics.put("epoch", 3);
            metrics.put("done", true);
            metrics.put("phase", "warm-up");
            assertThat(journal.appendMetrics(metrics, 7)).isEqualTo(2);
            journal.appendMetrics(Map.of("summary", 2.5), null);
            journal.appendRunFinished("completed");

            Journal.Reader reader = journal.reader(0);
            JournalEvent created = reader.next();
            assertThat(created.type()).isEqualTo("run_created");
            assertThat(created.string("project")).isEqualTo("demo");
            assertThat(created.config()).containsEntry("lr", 0.1);
            JournalEvent logged = reader.next();
            assertThat(logged.seq()).isEqualTo(2);
            assertThat(logged.step()).isEqualTo(7);
            assertThat(logged.metrics()).containsExactly(Map.entry("loss", 1.0), Map.entry("epoch", 3),
                    Map.entry("done", true), Map.entry("phase", "warm-up"));
            assertThat(reader.next().step()).isNull();
            assertThat(reader.next().string("state")).isEqualTo("completed");
            assertThat(reader.next()).isNull();
        }
        List<String> lines = Files.readAllLines(runDir.resolve("events").resolve(Journal.segmentName(1)),
                StandardCharsets.UTF_8);
        Map<?, ?> second = new ObjectMapper().readValue(lines.get(1), Map.class);
        assertThat(new ArrayList<Object>(second.keySet())).containsExactly("version", "seq", "timestamp", "type",
                "payload");
        assertThat(second.get("version")).isEqualTo(1);
        assertThat((String) second.get("timestamp"))
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
        assertThat(lines.get(1)).contains("\"loss\":1.0").contains("\"epoch\":3");
    }

    @Test
    void fullSegmentsRotateAndAcknowledgedSegmentsAreDeleted() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 512, 1 << 20)) {
            for (int step = 0; step < 100; step++) {
                journal.appendMetrics(Map.of("loss", step * 0.5), step);
            }
            assertThat(segmentFiles(runDir)).hasSizeGreaterThan(5);
            Journal.Reader reader = journal.reader(0);
            for (int step = 0; step < 100; step++) {
                assertThat(reader.next().step()).isEqualTo(step);
            }
            assertThat(reader.next()).isNull();
            journal.acknowledge(100);
            assertThat(segmentFiles(runDir)).hasSize(1); // only the active one remains
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
            Journal.Reader reader = journal.reader(journal.deliveredSeq());
            List<Integer> steps = new ArrayList<>();
            for (JournalEvent event = reader.next(); event != null; event = reader.next()) {
                steps.add(event.step());
            }
            assertThat(steps)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(12, 30).boxed().toList());
        }
    }

    @Test
    void aTornLastLineEndsTheRecoveredJournal() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 4096, 1 << 20)) {
            journal.appendMetrics(Map.of("loss", 1.0), 0);
            journal.appendMetrics(Map.of("loss", 2.0), 1);
        }
        Path segment = runDir.resolve("events").resolve(Journal.segmentName(1));
        byte[] bytes = Files.readAllBytes(segment);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int secondLine = text.indexOf('\n') + 1;
        bytes[secondLine + 20] = 0; // a write interrupted by the crash
        Files.write(segment, bytes);
        try (Journal journal = Journal.open(runDir, 4096, 1 << 20)) {
            assertThat(journal.recoveredSeq()).isEqualTo(1);
            Journal.Reader reader = journal.reader(0);
            assertThat(reader.next().step()).isEqualTo(0);
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void aFolderIsLockedByOneJournalAtATime() throws IOException {
        Path runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 4096, 1 << 20)) {
            assertThatThrownBy(() -> Journal.open(runDir, 4096, 1 << 20)).isInstanceOf(IllegalStateException.class)
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

    private static List<Path> segmentFiles(Path runDir) throws IOException {
        try (var files = Files.list(runDir.resolve("events"))) {
            return files.toList();
        }
    }

}
