package io.dalva.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Journal#close()} returns once the journal's thread has released every mapping of
 * the folder, whatever the timing of the threads: the thread is held in the creation of a
 * spare segment (a stalled disk) while the journal closes, then let go. Mappings are
 * counted from {@code /proc/self/maps} right after the close, before any garbage
 * collection could release them instead.
 */
class JournalCloseTest {

    /** One segment of 1 MiB (the default): the owner keeps two spares ready. */
    static final int SEGMENT = 1024 * 1024;

    @TempDir
    Path spool;

    Path dir;

    @Test
    void theActiveSegmentIsReleasedWhenTheOwnerSeesTheJournalClosedBeforeItSeesTheSegmentRetired() throws Exception {
        HeldStorage storage = new HeldStorage();
        Journal journal = openHeld(storage);
        Segment active = journal.activeSegment();
        Thread closer = new Thread(journal::close);
        closer.start();
        JournalTest.await(() -> active.retired);
        // Journal.close() marks the journal closed, then the active segment retired: a
        // closer descheduled between the two (1 ms, seen under load) let the owner take
        // its last pass with the active segment not retired yet, and leave it mapped
        active.retired = false;
        storage.letGo();
        closer.join();
        assertThat(mappings()).isEmpty();
        assertThat(JournalTest.sealed(dir)).as("the segment sealed, its event kept").hasSize(1);
    }

    @Test
    void aCloseOnAnInterruptedThreadStillWaitsForTheOwnerAndKeepsTheInterrupt() throws Exception {
        HeldStorage storage = new HeldStorage();
        Journal journal = openHeld(storage);
        AtomicReference<List<String>> mappedAfterClose = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread closer = new Thread(() -> {
            Thread.currentThread().interrupt();
            journal.close();
            interruptKept.set(Thread.currentThread().isInterrupted());
            mappedAfterClose.set(mappings());
        });
        closer.start();
        JournalTest.await(
                () -> closer.getState() == Thread.State.TIMED_WAITING || closer.getState() == Thread.State.TERMINATED);
        storage.letGo();
        closer.join();
        assertThat(mappedAfterClose.get()).isEmpty();
        assertThat(interruptKept).isTrue();
    }

    @Test
    void aSecondCloseWaitsForTheOwnerTooNotOnlyTheFirst() throws Exception {
        HeldStorage storage = new HeldStorage();
        Journal journal = openHeld(storage);
        Thread first = new Thread(journal::close);
        first.start();
        JournalTest.await(() -> first.getState() == Thread.State.TIMED_WAITING);
        AtomicReference<List<String>> mappedAfterClose = new AtomicReference<>();
        Thread second = new Thread(() -> {
            journal.close();
            mappedAfterClose.set(mappings());
        });
        second.start();
        JournalTest.await(
                () -> second.getState() == Thread.State.TIMED_WAITING || second.getState() == Thread.State.TERMINATED);
        storage.letGo();
        first.join();
        second.join();
        assertThat(mappedAfterClose.get()).isEmpty();
    }

    @Test
    void anOpeningThatFailsAfterMappingASpareReleasesTheSpareAndTheFolder() throws IOException {
        dir = spool.resolve("RUN-failed-open");
        JournalStorage failsAtTheSecondSpare = new JournalStorage() {
            int spares;

            @Override
            public FileChannel open(Path file, OpenOption... options) throws IOException {
                if (isSpare(options) && ++spares == 2) {
                    throw new OutOfMemoryError("test: no memory for the second spare");
                }
                return FileChannel.open(file, options);
            }
        };
        assertThatThrownBy(() -> Journal.open(dir, SEGMENT, 8L * SEGMENT, Duration.ofSeconds(1), failsAtTheSecondSpare))
            .isInstanceOf(OutOfMemoryError.class);
        assertThat(mappings()).isEmpty();
        try (Journal again = Journal.open(dir, SEGMENT, 8L * SEGMENT)) {
            assertThat(again.lastSeq()).as("the folder is free again, and empty").isZero();
        }
    }

    /**
     * A journal with one event in its active segment, its owner held in the creation of
     * the spare that replaces the one the appender took.
     */
    Journal openHeld(HeldStorage storage) throws IOException, InterruptedException {
        dir = spool.resolve("RUN-held");
        Journal journal = Journal.open(dir, SEGMENT, 8L * SEGMENT, Duration.ofSeconds(1), storage);
        storage.hold();
        journal.appendMetrics(Map.of("loss", 0.5), 0);
        storage.awaitHeld();
        assertThat(journal.activeSegment().isMapped()).isTrue();
        return journal;
    }

    /** Lines of /proc/self/maps that map a file of the run folder (deleted or not). */
    List<String> mappings() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps"))
                .stream()
                .filter(line -> line.contains(dir.toString()))
                .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isSpare(OpenOption... options) {
        return Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW);
    }

    /**
     * The real file system, but once {@link #hold()} is called the next spare segment's
     * creation waits until {@link #letGo()}, as on a stalled disk.
     */
    static final class HeldStorage implements JournalStorage {

        private final Semaphore held = new Semaphore(0);

        private final CountDownLatch letGo = new CountDownLatch(1);

        private volatile boolean holding;

        void hold() {
            holding = true;
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.tryAcquire(10, TimeUnit.SECONDS)).as("the owner creates a spare").isTrue();
        }

        void letGo() {
            letGo.countDown();
        }

        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
            if (holding && isSpare(options)) {
                holding = false;
                held.release();
                try {
                    letGo.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FileChannel.open(file, options);
        }

    }

}
