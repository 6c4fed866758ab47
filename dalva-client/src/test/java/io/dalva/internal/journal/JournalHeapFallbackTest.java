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
import java.util.concurrent.CountDownLatch;
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

    /**
     * Holds the owner in the creation of a segment file while asked to: a slow device.
     */
    static final class SlowStorage implements JournalStorage {

        final CountDownLatch released = new CountDownLatch(1);

        volatile boolean slow;

        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
            if (slow && file.getFileName().toString().endsWith(".open")) {
                try {
                    released.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FileChannel.open(file, options);
        }

    }

    @Test
    void anOwnerThatFellBehindKeepsMoreSparesReadyUpToItsBound() throws IOException {
        SlowStorage storage = new SlowStorage();
        int segmentBytes = 128 * 1024;
        try (Journal journal = Journal.open(tmp.resolve("run"), segmentBytes, 1 << 30, Duration.ofMillis(20),
                storage)) {
            int initial = Journal.SPARE_BYTES / segmentBytes;
            await(() -> journal.sparesReady() == initial);
            storage.slow = true;
            int step = 0;
            while (journal.heapBytes() < 4 * Journal.HEAP_SEGMENT_BYTES) {
                assertThat(journal.appendMetrics(Map.of("loss", step / 10.0), step)).isEqualTo(step + 1);
                step++;
            }
            int bound = Journal.MAX_SPARE_BYTES / segmentBytes;
            assertThat(journal.sparesWanted()).isEqualTo(bound);

            storage.released.countDown();
            await(() -> journal.sparesReady() == bound);
            assertThat(journal.sparesWanted()).isEqualTo(bound);
            assertThat(JournalTest.steps(journal)).hasSize(step);
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
