package io.dalva.internal.journal;

import static io.dalva.internal.journal.JournalTest.await;
import static io.dalva.internal.journal.JournalTest.sealed;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up under a live journal: appends never throw, the journal goes on in
 * a bounded heap buffer, counts what it drops, and writes the buffer out once the disk
 * takes it again; everything accepted is read back once, in order.
 */
class JournalFullDiskTest {

    static final int STEPS = 12_000;

    @TempDir
    Path tmp;

    @Test
    void aDiskThatFillsUpNeverReachesAppendAndTheHeapBufferIsWrittenOutWhenThereIsSpaceAgain() throws IOException {
        FullDiskStorage storage = new FullDiskStorage(Long.MAX_VALUE);
        Path runDir = tmp.resolve("run");
        List<Long> accepted = new ArrayList<>();
        long maxBytes = 1536 * 1024;
        try (Journal journal = Journal.open(runDir, 8192, maxBytes, Duration.ofMillis(50), storage)) {
            for (int step = 0; step < 200; step++) {
                accepted.add(journal.appendMetrics(Map.of("loss", step / 10.0), step));
            }
            storage.fill(); // the segments mapped ahead keep their blocks
            for (int step = 200; step < STEPS; step++) {
                accepted.add(journal.appendMetrics(Map.of("loss", step / 10.0), step));
            }
            await(() -> journal.storageProblem() != null && journal.storageProblem().contains("No space"));
            assertThat(journal.storageProblem()).contains("No space left on device");
            long kept = accepted.stream().filter(seq -> seq > 0).count();
            assertThat(journal.droppedEvents()).isEqualTo(STEPS - kept).isPositive();
            assertThat(journal.heapBytes()).isPositive().isLessThanOrEqualTo(maxBytes);
            assertThat(journal.heldBytes()).isLessThanOrEqualTo(maxBytes);

            storage.free();
            await(() -> journal.heapBytes() == journal.activeHeapBytes());
            List<Long> seqs = new ArrayList<>();
            try (JournalReader reader = journal.reader(0)) {
                for (JournalEvent event = reader.next(); event != null; event = reader.next()) {
                    seqs.add(event.seq());
                }
            }
            assertThat(seqs).containsExactlyElementsOf(accepted.stream().filter(seq -> seq > 0).toList());
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(seqs.get(seqs.size() - 1)).isEqualTo(kept); // drops take no seq
        }
        try (Journal reopened = Journal.open(runDir, 8192, 1 << 20)) {
            assertThat(reopened.recoveredSeq()).isEqualTo(accepted.stream().filter(seq -> seq > 0).count());
            assertThat(reopened.damaged()).isEmpty();
            assertThat(reopened.missing()).isEmpty();
        }
        assertThat(sealed(runDir)).isNotEmpty();
    }

    @Test
    void aJournalOpenedOnAFullDiskStartsInMemory() throws IOException {
        FullDiskStorage storage = new FullDiskStorage(0);
        try (Journal journal = Journal.open(tmp.resolve("run"), 8192, 1 << 20, Duration.ofMillis(50), storage)) {
            for (int step = 0; step < 100; step++) {
                assertThat(journal.appendMetrics(Map.of("loss", 1.0), step)).isEqualTo(step + 1);
            }
            assertThat(journal.storageProblem()).contains("No space left on device");
            assertThat(JournalTest.steps(journal)).hasSize(100);
        }
    }

}
