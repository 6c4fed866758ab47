package io.dalva.internal.journal;

import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread ({@code dalva-journal}) that does a journal's file work, so that
 * {@link Journal#append} never does: it creates, preallocates (with real blocks, so a
 * full disk fails here and never in a mapped write) and maps the next segment ahead of
 * need; seals full segments (unmapped, trimmed to their bytes, checksummed, renamed by
 * seq); writes heap segments to files when the disk takes them again; records
 * acknowledgements and, once that record is on the device, deletes what it covers; forces
 * to the device every sync interval. A storage failure is logged once (WARN naming the
 * folder and the reason), retried every second, and never leaves this thread.
 */
final class SegmentOwner implements Runnable {

    /** Spares prepared before anything else: enough for the appender to go on. */
    private static final int FIRST_SPARES = 2;

    private static final Log log = Log.of(SegmentOwner.class);

    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final int PAGE = 4096;

    private final Journal journal;

    private final Thread thread;

    private final DeliveredMarker marker;

    private final long syncNanos;

    private final WarnThenDebug storageLogger = new WarnThenDebug(SegmentOwner.class);

    private final WarnThenDebug dropLogger = new WarnThenDebug(SegmentOwner.class);

    /** Direct: a heap buffer would be copied to a temporary direct one at each write. */
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(64 * 1024);

    private final List<Path> unforced = new ArrayList<>();

    private long spareIndex;

    private volatile String failing;

    private long retryAt;

    private long markerWritten;

    private long markerForced;

    private long lastForce = System.nanoTime();

    private long droppedReported;

    SegmentOwner(Journal journal, long markerWritten, long syncNanos) {
        this.journal = journal;
        this.markerWritten = markerWritten;
        this.markerForced = markerWritten;
        this.syncNanos = syncNanos;
        this.marker = new DeliveredMarker(journal.directory().resolve(Journal.DELIVERED), journal.storage());
        this.thread = new Thread(this, "dalva-journal");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Lets the owner finish its work (seal, record, release every mapping) and waits for
     * it, at most {@code timeoutNanos}; an interrupt does not end the wait (the caller's
     * interrupt status is kept). Past the timeout (a stalled storage) the owner releases
     * everything itself as soon as the storage returns.
     */
    void stop(long timeoutNanos) {
        wake();
        if (Thread.currentThread() == thread) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    log.warn(
                            "Dalva spool {}: its journal thread did not finish within {} ms (the storage stalls); "
                                    + "it releases the spool's files as soon as the storage returns.",
                            journal.directory(), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
                }
                catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Why the storage fails now, or {@code null}. */
    String failing() {
        return failing;
    }

    @Override
    public void run() {
        try {
            while (true) {
                boolean closing = journal.isClosed();
                try {
                    pass(closing);
                }
                catch (RuntimeException | InternalError e) {
                    storageFailed("unexpected failure: " + e);
                }
                if (closing) {
                    break;
                }
                LockSupport.parkNanos(this, Math.min(syncNanos, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
        finally {
            release();
        }
    }

    /**
     * The owner's last act (or the opening thread's, when the owner could not start): the
     * spares are discarded and, once the journal is closed (no append can touch a mapping
     * any more), any segment still mapped is unmapped, so that no mapping outlives the
     * journal (its file is sealed at the next open).
     */
    void release() {
        if (journal.isClosed()) {
            for (Segment segment : journal.segments()) {
                MappedByteBuffer mapped = segment.mapped;
                segment.mapped = null;
                Unmapper.unmap(mapped);
            }
        }
        for (Segment.Spare spare = journal.takeSpare(); spare != null; spare = journal.takeSpare()) {
            discard(spare);
        }
        marker.close();
        Unmapper.unmap(zeros);
    }

    private void pass(boolean closing) {
        String fault = journal.takeMappedFault();
        if (fault != null) {
            storageFailed(fault);
        }
        // the appender's next segment or two: mapped memory again, not the heap; the rest
        // of the spares only after what is on the heap is in a file, since a killed
        // process loses it there
        keepSparesReady(closing);
        for (Segment segment : journal.segments()) {
            // closing: the journal was closed under the appenders' lock, so nothing is
            // appended any more; the active segment is sealed even when its retirement,
            // written by the closing thread after the close, is not visible yet
            if ((segment.retired || closing) && !segment.sealed) {
                if (segment.isMapped()) {
                    seal(segment);
                }
                else if (segment.heap != null) {
                    persist(segment);
                }
                keepSparesReady(closing);
            }
        }
        if (!closing) {
            prepareSpares(Integer.MAX_VALUE);
        }
        recordDelivered();
        reportDrops();
        long now = System.nanoTime();
        if (closing || now - lastForce >= syncNanos) {
            force(closing);
            lastForce = now;
        }
        deleteDelivered();
    }

    /**
     * Between two slow steps (a seal, a write, a force): the appender's next segment or
     * two, so that an appender faster than the device still finds mapped memory ready.
     */
    private void keepSparesReady(boolean closing) {
        if (!closing) {
            prepareSpares(FIRST_SPARES);
        }
    }

    // --- spare segments ---------------------------------------------------------------

    /** Before the thread starts (on the thread opening the journal): two spares. */
    void prepareFirstSpares() {
        for (int i = 0; i < FIRST_SPARES && journal.wantsSpare() && prepareSpare(); i++) {
            // mapped ahead of the first append
        }
    }

    /** Up to {@code most} spares, as many as the journal wants. */
    private void prepareSpares(int most) {
        for (int i = 0; i < most && journal.wantsSpare() && !journal.isClosed()
                && (failing == null || System.nanoTime() - retryAt >= 0); i++) {
            if (!prepareSpare()) {
                return;
            }
        }
    }

    private boolean prepareSpare() {
        int capacity = journal.segmentBytes();
        Path file = null;
        MappedByteBuffer mapped = null;
        try {
            FileChannel channel = null;
            for (int attempt = 0; channel == null; attempt++) {
                file = journal.directory().resolve(Journal.EVENTS).resolve(SegmentFiles.openName(++spareIndex));
                try {
                    channel = journal.storage()
                        .open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                catch (FileAlreadyExistsException e) {
                    if (attempt > 1000) {
                        throw e;
                    }
                }
            }
            try (FileChannel open = channel) {
                for (long position = 0; position < capacity;) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), capacity - position));
                    position += open.write(zeros, position);
                }
                mapped = open.map(FileChannel.MapMode.READ_WRITE, 0, capacity); // outlives
                                                                                // the
                                                                                // channel
            }
            for (int page = 0; page < capacity; page += PAGE) {
                mapped.put(page, (byte) 0); // page faults here, not in append()
            }
            journal.offerSpare(new Segment.Spare(file, mapped, capacity));
            recovered();
            return true;
        }
        catch (IOException | RuntimeException | InternalError e) {
            Unmapper.unmap(mapped);
            deleteQuietly(file);
            storageFailed("cannot prepare a segment: " + e.getMessage());
            return false;
        }
    }

    private void discard(Segment.Spare spare) {
        if (spare != null) {
            Unmapper.unmap(spare.mapped());
            deleteQuietly(spare.file());
        }
    }

    // --- sealing ----------------------------------------------------------------------

    /** A full mapped segment: unmapped, trimmed to its bytes, checksummed, renamed. */
    private void seal(Segment segment) {
        int limit = segment.limit;
        MappedByteBuffer mapped = segment.mapped;
        segment.mapped = null;
        String sha = null;
        if (mapped != null) {
            try {
                sha = SegmentFiles.sha256(mapped.slice(0, limit)); // no copy through a
                                                                   // read
            }
            catch (InternalError e) {
                // a page the storage lost: the file is read below and fails there
            }
            Unmapper.unmap(mapped); // its dirty pages stay in the page cache
        }
        try {
            if (limit == 0) {
                Files.deleteIfExists(segment.file);
                journal.forget(segment);
                return;
            }
            try (FileChannel channel = journal.storage()
                .open(segment.file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                channel.truncate(limit);
                if (sha == null) {
                    sha = SegmentFiles.sha256(channel, limit);
                }
            }
            Path target = segment.file.resolveSibling(SegmentFiles.sealedName(segment.firstSeq, segment.lastSeq, sha));
            SegmentFiles.move(segment.file, target);
            segment.file = target;
            unforced.add(target);
        }
        catch (IOException | RuntimeException e) {
            storageFailed("cannot seal " + segment.file + ": " + e.getMessage());
        }
        segment.sealed = true; // as sealed as the storage allows: readers stop at limit
    }

    /** A heap segment goes to a file as soon as the storage takes it. */
    private void persist(Segment segment) {
        if (failing != null && System.nanoTime() - retryAt < 0) {
            return;
        }
        byte[] heap = segment.heap;
        int limit = segment.limit;
        if (limit == 0) {
            journal.forget(segment);
            return;
        }
        try {
            Path target = journal.directory()
                .resolve(Journal.EVENTS)
                .resolve(SegmentFiles.sealedName(segment.firstSeq, segment.lastSeq,
                        SegmentFiles.sha256(heap, 0, limit)));
            // forced with the sealed segments at the next sync, not one device flush per
            // heap segment: an owner that fell behind catches up instead of falling
            // further
            SegmentFiles.writeAtomically(journal.storage(), target, heap, 0, limit, false);
            unforced.add(target);
            segment.file = target;
            segment.sealed = true;
            journal.releaseHeap(segment);
            recovered();
        }
        catch (IOException | RuntimeException e) {
            storageFailed("cannot write " + limit + " bytes of events: " + e.getMessage());
        }
    }

    // --- acknowledgements and forcing -------------------------------------------------

    private void recordDelivered() {
        long delivered = journal.deliveredSeq();
        if (delivered > markerWritten) {
            try {
                marker.write(delivered);
                markerWritten = delivered;
            }
            catch (IOException | RuntimeException e) {
                storageFailed("cannot record the delivered events: " + e.getMessage());
            }
        }
    }

    /**
     * Deletes the segments the marker on the device covers: never before, so that a crash
     * (or power loss) can never find data deleted that its marker does not cover.
     */
    private void deleteDelivered() {
        long delivered = markerForced;
        Segment active = journal.activeSegment();
        for (Segment segment : journal.segments()) {
            if (segment != active && segment.retired && (segment.sealed || segment.heap != null)
                    && segment.lastSeq <= delivered) {
                if (segment.file != null) {
                    try {
                        Files.deleteIfExists(segment.file);
                    }
                    catch (IOException e) {
                        log.debug("Cannot delete the delivered segment {}.", segment.file, e);
                        continue;
                    }
                }
                journal.forget(segment);
            }
        }
    }

    /**
     * Forces the active segment, the segments sealed since the last time and the marker
     * to the device (for a power loss; a killed process needs none of it).
     */
    private void force(boolean closing) {
        Segment active = journal.activeSegment();
        MappedByteBuffer mapped = active == null ? null : active.mapped;
        try {
            int appended = active == null ? 0 : active.limit;
            if (mapped != null && !active.retired && appended > 0) {
                // only what the appender wrote: a page written back is write-protected
                // again, and the appender's next write to it faults (on ext4 that fault
                // can wait for the file system's journal), so the zeros ahead stay dirty
                mapped.force(0, appended);
            }
            for (Path file : unforced) {
                keepSparesReady(closing);
                try (FileChannel channel = journal.storage().open(file, StandardOpenOption.WRITE)) {
                    channel.force(false);
                }
                catch (NoSuchFileException e) {
                    // delivered and deleted meanwhile
                }
            }
            unforced.clear();
            long written = markerWritten;
            marker.force();
            markerForced = written;
        }
        catch (IOException | RuntimeException | InternalError e) {
            storageFailed("cannot force the journal to the device: " + e.getMessage());
        }
    }

    private void reportDrops() {
        long dropped = journal.droppedEvents();
        if (dropped > droppedReported) {
            droppedReported = dropped;
            dropLogger.log("Dalva spool {}: {} event(s) dropped so far ({}).", journal.directory(), dropped,
                    journal.dropReason());
        }
    }

    // --- storage failures -------------------------------------------------------------

    private void storageFailed(String reason) {
        if (failing == null) {
            storageLogger
                .log("Dalva spool {} cannot be written ({}); the run goes on with up to {} bytes of events in memory, "
                        + "and counts what it drops beyond.", journal.directory(), reason, journal.heapLimit());
        }
        failing = reason;
        journal.noteStorageProblem(reason);
        retryAt = System.nanoTime() + RETRY_NANOS;
    }

    private void recovered() {
        if (failing != null) {
            failing = null; // the warning is not reset: a disk that flaps warns once
            log.debug("Dalva spool {} can be written again.", journal.directory());
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException e) {
                // an empty spare; recovery removes it
            }
        }
    }

}
