package io.dalva.internal.journal;

import static io.dalva.internal.journal.JournalTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events that went to the heap because no mapped segment was ready (the owner thread
 * behind, a disk that failed) are lost if the process is killed before they reach a file:
 * so when the owner can write again, it writes them out before it maps the bulk of its
 * spare segments ahead of need (only the next one or two first, so that the appender is
 * back on mapped memory).
 */
class JournalHeapFallbackTest {

    @TempDir
    Path tmp;

    /** Refuses to create segment files while asked to; records every file opened. */
    static final class SpareRefusingStorage implements JournalStorage {

        volatile boolean refuse = true;

        final List<String> opened = Collections.synchronizedList(new ArrayList<>());

        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
            String name = file.getFileName().toString();
            if (refuse && name.endsWith(".open")) {
                throw new IOException("No space left on device");
            }
            opened.add(name);
            return FileChannel.open(file, options);
        }

    }

    @Test
    void heapEventsReachAFileBeforeTheOwnerMapsItsSpares() throws IOException {
        SpareRefusingStorage storage = new SpareRefusingStorage();
        try (Journal journal = Journal.open(tmp.resolve("run"), 4096, 1 << 20, Duration.ofMillis(20), storage)) {
            for (int step = 0; step < 200; step++) { // about 7 heap segments of 4 KiB
                assertThat(journal.appendMetrics(Map.of("loss", step / 10.0), step)).isEqualTo(step + 1);
            }
            assertThat(journal.heapBytes()).isGreaterThan(4 * 4096);
            storage.opened.clear();
            storage.refuse = false;

            await(() -> journal.heapBytes() == journal.activeHeapBytes());

            List<String> opened = List.copyOf(storage.opened);
            int firstWrittenOut = 0;
            while (firstWrittenOut < opened.size() && !opened.get(firstWrittenOut).endsWith(".jsonl.tmp")) {
                firstWrittenOut++;
            }
            assertThat(firstWrittenOut).as("files opened before the heap's events were written out: " + opened)
                .isLessThan(opened.size())
                .isLessThanOrEqualTo(2);
            assertThat(JournalTest.steps(journal)).hasSize(200);
        }
    }

}
