package io.dalva.internal.journal;

import static io.dalva.internal.journal.JournalTest.sealed;
import static io.dalva.internal.journal.JournalTest.segmentFiles;
import static io.dalva.internal.journal.JournalTest.steps;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of damage a spool can suffer, applied to real segment files: what is intact
 * is read back in seq order, what is damaged is reported with its seq range, kept under
 * {@code damaged/} and never counted as delivered, and nothing undelivered is deleted.
 */
class JournalRecoveryTest {

    static final int EVENTS = 60;

    @TempDir
    Path tmp;

    Path runDir;

    /** 60 steps (seq 1..60, step = seq - 1) in sealed 2 KiB segments. */
    void writeSteps() throws IOException {
        runDir = tmp.resolve("run");
        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            for (int step = 0; step < EVENTS; step++) {
                journal.appendMetrics(Map.of("loss", step / 10.0), step);
            }
        }
        assertThat(sealed(runDir)).hasSizeGreaterThan(3);
    }

    /** The seq range a sealed file holds, from its name. */
    static long[] range(Path file) {
        return SegmentFiles.sealedRange(file.getFileName().toString());
    }

    static List<Integer> allStepsBut(List<Long> seqs) {
        return IntStream.range(0, EVENTS).filter(step -> !seqs.contains((long) step + 1)).boxed().toList();
    }

    /** Offset of the start of line {@code index} (0-based) in {@code bytes}. */
    static int lineStart(byte[] bytes, int index) {
        int offset = 0;
        for (int line = 0; line < index; line++) {
            while (bytes[offset] != '\n') {
                offset++;
            }
            offset++;
        }
        return offset;
    }

    @Test
    void aFlippedByteMidSegmentLosesOnlyItsLineWhichIsReportedWithItsSeqAndKept() throws IOException {
        writeSteps();
        Path file = sealed(runDir).get(1);
        long first = range(file)[0];
        byte[] bytes = Files.readAllBytes(file);
        int line = lineStart(bytes, 4);
        bytes[line + 120] ^= 0x01; // one bit of the fifth line's payload
        Files.write(file, bytes);

        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(steps(journal)).containsExactlyElementsOf(allStepsBut(List.of(first + 4)));
            assertThat(journal.damaged()).singleElement().satisfies(range -> {
                assertThat(range.firstSeq()).isEqualTo(first + 4);
                assertThat(range.lastSeq()).isEqualTo(first + 4);
                assertThat(range.events()).isEqualTo(1);
                assertThat(range.file()).isEqualTo(file.getFileName().toString());
                assertThat(Path.of(range.kept())).hasParent(runDir.resolve("damaged"));
                int end = lineStart(bytes, 5);
                assertThat(Files.readAllBytes(Path.of(range.kept()))).isEqualTo(Arrays.copyOfRange(bytes, line, end));
            });
            assertThat(journal.missing()).isEmpty();
            assertEveryEventFileIsClean();
        }
        try (Journal again = Journal.open(runDir, 2048, 1 << 20)) { // known, not a gap
            assertThat(again.damaged()).singleElement().satisfies(range -> assertThat(range.events()).isEqualTo(1));
            assertThat(again.missing()).isEmpty();
        }
    }

    @Test
    void aDamagedFirstLineKeepsTheRestOfItsSegment() throws IOException {
        writeSteps();
        Path file = sealed(runDir).get(2);
        long first = range(file)[0];
        byte[] bytes = Files.readAllBytes(file);
        bytes[3] = '#';
        Files.write(file, bytes);

        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(steps(journal)).containsExactlyElementsOf(allStepsBut(List.of(first)));
            assertThat(journal.damaged()).singleElement()
                .satisfies(range -> assertThat(range.firstSeq()).isEqualTo(first).isEqualTo(range.lastSeq()));
            assertEveryEventFileIsClean();
        }
    }

    @Test
    void aSegmentTruncatedMidLineCountsEveryEventItLost() throws IOException {
        writeSteps();
        Path file = sealed(runDir).get(1);
        long[] named = range(file);
        byte[] bytes = Files.readAllBytes(file);
        int cut = lineStart(bytes, 2) + 40; // inside the third line
        Files.write(file, Arrays.copyOf(bytes, cut));

        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            List<Long> lost = new ArrayList<>();
            for (long seq = named[0] + 2; seq <= named[1]; seq++) {
                lost.add(seq);
            }
            assertThat(steps(journal)).containsExactlyElementsOf(allStepsBut(lost));
            assertThat(journal.damaged().stream().mapToLong(DamagedRange::events).sum()).isEqualTo(lost.size());
            assertThat(journal.damaged()).allSatisfy(range -> assertThat(range.firstSeq()).isEqualTo(named[0] + 2));
            assertThat(journal.missing()).isEmpty();
            assertEveryEventFileIsClean();
        }
    }

    @Test
    void aFlippedBitInTheDeliveredMarkerMakesTheJournalSendEverythingAgainAndDeleteNothing() throws IOException {
        writeSteps();
        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            journal.acknowledge(30);
            JournalTest.await(() -> DeliveredMarker.read(runDir.resolve("delivered")) == 30);
            JournalTest.await(() -> sealed(runDir).stream().allMatch(file -> range(file)[1] > 30));
        }
        List<Path> before = sealed(runDir);
        long firstHeld = range(before.get(0))[0];
        byte[] marker = Files.readAllBytes(runDir.resolve("delivered"));
        marker[18] ^= 0x04; // "30" becomes another number
        Files.write(runDir.resolve("delivered"), marker);

        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(journal.deliveredSeq()).isEqualTo(firstHeld - 1);
            assertThat(journal.notes()).anyMatch(note -> note.contains("unreadable"));
            assertThat(steps(journal))
                .containsExactlyElementsOf(IntStream.range((int) firstHeld - 1, EVENTS).boxed().toList());
            assertThat(sealed(runDir)).containsExactlyElementsOf(before);
        }
    }

    @Test
    void aMarkerBeyondTheLastEventIsNotBelieved() throws IOException {
        writeSteps();
        Files.writeString(runDir.resolve("delivered"),
                String.format("%020d %08x\n", 9999, EventEncoder.crc(String.format("%020d", 9999).getBytes(), 0, 20)));
        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(journal.deliveredSeq()).isZero();
            assertThat(steps(journal)).hasSize(EVENTS);
        }
    }

    @Test
    void segmentsAreOrderedByTheirEventsSeqNotByTheirFileNames() throws IOException {
        runDir = tmp.resolve("run");
        Files.createDirectories(runDir.resolve("events"));
        // the old journal's bug: file 7 holds later events than file 8; no checksums,
        // NUL padding
        Files.write(runDir.resolve("events/00000000000000000007.jsonl"), legacy(23, 30));
        Files.write(runDir.resolve("events/00000000000000000008.jsonl"), legacy(1, 22));

        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(steps(journal)).containsExactlyElementsOf(IntStream.range(0, 30).boxed().toList());
            assertThat(journal.missing()).isEmpty();
            assertThat(journal.damaged()).isEmpty();
            assertThat(journal.appendMetrics(Map.of("loss", 1.0), 30)).isEqualTo(31);
        }
        assertThat(sealed(runDir)).extracting(file -> range(file)[0]).containsExactly(1L, 23L, 31L);
        assertEveryEventFileIsClean();
    }

    @Test
    void aLostSegmentIsAGapThatAcknowledgementsNeverPass() throws IOException {
        writeSteps();
        Path lost = sealed(runDir).get(1);
        long[] named = range(lost);
        Files.delete(lost);
        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(journal.missing()).containsExactly(new MissingRange(named[0], named[1]));
            journal.acknowledge(EVENTS);
            assertThat(journal.deliveredSeq()).isEqualTo(named[0] - 1);
            JournalTest.await(() -> DeliveredMarker.read(runDir.resolve("delivered")) == named[0] - 1);
        }
        assertThat(sealed(runDir)).extracting(file -> range(file)[0]).allMatch(first -> first > named[1]);
    }

    @Test
    void aTornLastLineOfAnActiveSegmentIsAnIncompleteEventNotDamage() throws IOException {
        runDir = tmp.resolve("run");
        Files.createDirectories(runDir.resolve("events"));
        byte[] complete = legacy(1, 3);
        int end = complete.length;
        while (complete[end - 1] == 0) {
            end--;
        }
        byte[] torn = Arrays.copyOf(complete, end + 100);
        byte[] partial = "{\"version\":1,\"seq\":4,\"timesta".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(partial, 0, torn, end, partial.length); // then NULs: a crash
        Files.write(runDir.resolve("events/.active-1.jsonl"), torn);

        try (Journal journal = Journal.open(runDir, 2048, 1 << 20)) {
            assertThat(steps(journal)).containsExactly(0, 1, 2);
            assertThat(journal.damaged()).isEmpty();
            assertThat(journal.missing()).isEmpty();
            assertThat(journal.notes()).anyMatch(note -> note.contains("incomplete"));
            assertThat(journal.appendMetrics(Map.of("loss", 1.0), 3)).isEqualTo(4);
        }
        assertEveryEventFileIsClean();
    }

    /**
     * Lines of the old format (no crc) padded with NULs, as the mapped journal left them.
     */
    static byte[] legacy(int firstSeq, int lastSeq) {
        StringBuilder text = new StringBuilder();
        for (int seq = firstSeq; seq <= lastSeq; seq++) {
            text.append("{\"version\":1,\"seq\":")
                .append(seq)
                .append(",\"timestamp\":\"2026-12-03T10:25:34.036448+00:00\",\"type\":\"metrics_logged\",")
                .append("\"payload\":{\"metrics\":{\"loss\":")
                .append((seq - 1) / 10.0)
                .append("},\"step\":")
                .append(seq - 1)
                .append("}}\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(bytes, bytes.length + 512);
    }

    /**
     * What Dalva's readers require of {@code events/*.jsonl}: every line a valid event,
     * no NUL, a newline at the end of each file, sealed names in seq order.
     */
    void assertEveryEventFileIsClean() throws IOException {
        for (Path file : segmentFiles(runDir)) {
            if (!file.getFileName().toString().endsWith(".jsonl")) {
                continue; // a spare of the open journal (.active-<n>.open): not Dalva's
            }
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes).as(file.toString()).doesNotContain((byte) 0);
            assertThat(bytes[bytes.length - 1]).as(file.toString()).isEqualTo((byte) '\n');
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    assertThat(EventLine.parse(bytes, start, i - start)).as(file + " line at " + start).isNotNull();
                    start = i + 1;
                }
            }
        }
        List<Path> files = segmentFiles(runDir).stream()
            .filter(file -> file.getFileName().toString().endsWith(".jsonl"))
            .toList();
        assertThat(files).allMatch(file -> SegmentFiles.SEALED.matcher(file.getFileName().toString()).matches());
    }

}
