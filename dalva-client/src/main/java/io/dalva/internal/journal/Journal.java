package io.dalva.internal.journal;

import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The append-only event journal of one run: the queue between the recording thread and
 * the sender, and the spool that survives a crash.
 *
 * <p>
 * On disk a run is a folder {@code manifest.json} + {@code events/*.jsonl}, one JSON
 * event per line in the format of Dalva's own journal, each line with its own checksum
 * ({@link EventEncoder}). {@link #append} encodes the event and copies it into the active
 * segment, a file the {@link SegmentOwner} thread created, preallocated and mapped ahead
 * of need: a memory write, no system call, yet the bytes belong to the operating system's
 * page cache at once, so they survive the death of the process. When no such segment is
 * ready (the owner is behind, or the disk is full) the event goes to a segment on the
 * heap, bounded, which the owner writes out as soon as it can; beyond the bound events
 * are dropped and counted, never thrown. Full segments are sealed by the owner: trimmed,
 * checksummed, renamed {@code <first seq>-<last seq>-<sha256>.jsonl}.
 *
 * <p>
 * Order is the sequence number: recovery ({@link Recovery}) reads every file, orders
 * events by seq, moves damaged bytes to {@code damaged/}, and finds gaps, past which
 * {@link #acknowledge} never goes. The highest delivered seq is recorded in the file
 * {@code delivered} (checksummed; unreadable means "send everything again").
 *
 * <p>
 * Without a directory the same segments live on the Java heap (bounded, lost with the
 * process).
 *
 * <p>
 * Threads: any number of recording threads append (serialized by one lock that only they
 * take); one sender thread reads ({@link JournalReader}) and acknowledges; the owner does
 * the files.
 */
public final class Journal implements AutoCloseable {

    private static final Log log = Log.of(Journal.class);

    static final String EVENTS = "events";

    static final String DELIVERED = "delivered";

    static final String LOCK = "lock";

    static final String DAMAGED = "damaged";

    /** The size of a heap segment: small, so that allocating one stays cheap. */
    static final int HEAP_SEGMENT_BYTES = 64 * 1024;

    /** The most a journal with a folder keeps on the heap while its disk fails. */
    static final long HEAP_LIMIT = 16L << 20;

    /**
     * How many bytes of mapped segments the owner keeps ready for the appender (two
     * segments at least): the slack that lets the appender go on while the owner is
     * descheduled.
     */
    static final int SPARE_BYTES = 1024 * 1024;

    /**
     * The most bytes of spares the owner keeps when the appender outruns it (each time it
     * finds none ready, the journal asks for twice as many, up to this).
     */
    static final int MAX_SPARE_BYTES = 8 * 1024 * 1024;

    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final WarnThenDebug dropLogger = new WarnThenDebug(Journal.class);

    private final Path dir;

    private final JournalStorage storage;

    private final int segmentBytes;

    private final long maxBytes;

    private final long heapLimit;

    private final Object appendLock = new Object(); // taken by recording threads only

    private final EventEncoder encoder = new EventEncoder(); // guarded by appendLock

    // by firstSeq; appending one copies nothing (a copy-on-write list copied them all)
    private final Queue<Segment> segments = new ConcurrentLinkedQueue<>();

    /** Segments the owner mapped ahead of need; it keeps {@link #sparesWanted} ready. */
    private final ConcurrentLinkedQueue<Segment.Spare> spares = new ConcurrentLinkedQueue<>();

    private final int maxSpares;

    private volatile int sparesWanted; // written under appendLock

    private final AtomicLong heldBytes = new AtomicLong();

    private final AtomicLong heapBytes = new AtomicLong();

    private final List<JournalReader> readers = new CopyOnWriteArrayList<>();

    private final long recoveredSeq;

    private final long firstGap;

    private final List<DamagedRange> damaged;

    private final List<MissingRange> missing;

    private final List<String> notes;

    private final FolderLock folderLock;

    private final SegmentOwner owner;

    private volatile Segment active; // written under appendLock

    private volatile long lastSeq; // written under appendLock

    private volatile long droppedEvents; // written under appendLock

    private volatile String dropReason;

    private volatile boolean closed; // written under appendLock

    private volatile long deliveredSeq; // written by the sender

    private volatile long doneSeq; // written by the sender

    private volatile String mappedFault;

    private volatile String storageProblem;

    private Journal(Path dir, int segmentBytes, long maxBytes, Duration syncInterval, JournalStorage storage)
            throws IOException {
        if (segmentBytes < 256) {
            throw new IllegalArgumentException("segmentBytes must be at least 256, got " + segmentBytes);
        }
        if (maxBytes < segmentBytes) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " is below segmentBytes " + segmentBytes);
        }
        this.dir = dir;
        this.storage = storage;
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        this.sparesWanted = spares(SPARE_BYTES, segmentBytes);
        this.maxSpares = spares(MAX_SPARE_BYTES, segmentBytes);
        if (dir == null) {
            heapLimit = maxBytes;
            recoveredSeq = 0;
            firstGap = Long.MAX_VALUE;
            damaged = List.of();
            missing = List.of();
            notes = List.of();
            folderLock = null;
            owner = null;
            return;
        }
        heapLimit = Math.min(maxBytes, HEAP_LIMIT);
        Files.createDirectories(dir.resolve(EVENTS));
        folderLock = FolderLock.tryAcquire(dir);
        if (folderLock == null) {
            throw new JournalInUseException("spool " + dir + " is in use by another run or process");
        }
        Recovery.Result recovered;
        try {
            recovered = Recovery.run(dir, storage);
        }
        catch (IOException | RuntimeException e) {
            releaseLock();
            throw e;
        }
        for (Segment segment : recovered.segments()) {
            segments.add(segment);
            heldBytes.addAndGet(segment.capacity);
        }
        damaged = List.copyOf(recovered.damaged());
        missing = recovered.gaps().stream().map(Recovery.Gap::range).toList();
        notes = List.copyOf(recovered.notes());
        deliveredSeq = recovered.deliveredSeq();
        lastSeq = recovered.lastSeq();
        recoveredSeq = lastSeq;
        firstGap = missing.stream().mapToLong(MissingRange::firstSeq).min().orElse(Long.MAX_VALUE);
        owner = new SegmentOwner(this, deliveredSeq, syncInterval.toNanos());
        try {
            owner.prepareFirstSpares(); // the first events go to a file too
            owner.start();
        }
        catch (RuntimeException | Error e) { // no owner thread: its spares go here
            closed = true;
            owner.release();
            releaseLock();
            throw e;
        }
    }

    /**
     * Opens (creating or recovering) the journal in a run folder; the folder is locked
     * until close.
     * @throws JournalInUseException when another journal holds the folder
     */
    public static Journal open(Path dir, int segmentBytes, long maxBytes) throws IOException {
        return open(dir, segmentBytes, maxBytes, Duration.ofSeconds(1), JournalStorage.DEFAULT);
    }

    /**
     * Opens the journal in a run folder, forcing it to the device every
     * {@code syncInterval}, its files opened through {@code storage}.
     */
    public static Journal open(Path dir, int segmentBytes, long maxBytes, Duration syncInterval, JournalStorage storage)
            throws IOException {
        return new Journal(dir, segmentBytes, maxBytes, syncInterval, storage);
    }

    /** A journal on the Java heap: bounded by {@code maxBytes}, lost with the process. */
    public static Journal inMemory(int segmentBytes, long maxBytes) {
        try {
            return new Journal(null, segmentBytes, maxBytes, Duration.ofSeconds(1), JournalStorage.DEFAULT);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path directory() {
        return dir;
    }

    /**
     * The highest sequence number found on disk when the journal was opened (0 if new).
     */
    public long recoveredSeq() {
        return recoveredSeq;
    }

    public long deliveredSeq() {
        return deliveredSeq;
    }

    /**
     * The highest seq the sender reported done, past a missing range too (where
     * {@link #deliveredSeq()} stops): everything the journal holds up to it was
     * delivered.
     */
    public long doneSeq() {
        return Math.max(doneSeq, deliveredSeq);
    }

    public long lastSeq() {
        return lastSeq;
    }

    public long droppedEvents() {
        return droppedEvents;
    }

    /** Damaged bytes found when the journal was opened (kept under {@code damaged/}). */
    public List<DamagedRange> damaged() {
        return damaged;
    }

    /** Seqs missing when the journal was opened: acknowledgements stop before them. */
    public List<MissingRange> missing() {
        return missing;
    }

    /**
     * What recovery noticed besides damage (a re-sent marker, duplicates, a torn tail).
     */
    public List<String> notes() {
        return notes;
    }

    /** The last storage failure seen (a full disk...), or {@code null} if none. */
    public String storageProblem() {
        return storageProblem;
    }

    /** Bytes of segments that hold undelivered events (files or heap). */
    long heldBytes() {
        return heldBytes.get();
    }

    long heapBytes() {
        return heapBytes.get();
    }

    /** Heap bytes of the active segment (the owner writes out only retired ones). */
    long activeHeapBytes() {
        Segment current = active;
        return current != null && current.heap != null ? current.capacity : 0;
    }

    public long appendMetrics(Map<String, ?> metrics, Integer step) {
        return append(JournalEvent.METRICS_LOGGED, generator -> {
            generator.writeFieldName("metrics");
            EventEncoder.writeMap(generator, metrics);
            if (step == null) {
                generator.writeNullField("step");
            }
            else {
                generator.writeNumberField("step", step.intValue());
            }
        });
    }

    public long appendConfig(Map<String, ?> config) {
        return append(JournalEvent.CONFIG_LOGGED, generator -> {
            generator.writeFieldName("config");
            EventEncoder.writeMap(generator, config);
        });
    }

    /**
     * The first event of a run, in the shape of Dalva's SDK ({@code run_id} is the local
     * id; {@code config} is always an object).
     */
    public long appendRunCreated(String runId, String project, String name, Map<String, ?> config, String resumeFrom,
            String forkFrom) {
        return append(JournalEvent.RUN_CREATED, generator -> {
            generator.writeStringField("run_id", runId);
            generator.writeStringField("project", project);
            generator.writeStringField("name", name);
            generator.writeFieldName("config");
            EventEncoder.writeMap(generator, config == null ? Map.of() : config);
            generator.writeStringField("fork_from", forkFrom);
            generator.writeStringField("resume_from", resumeFrom);
        });
    }

    public long appendRunFinished(String state) {
        return append(JournalEvent.RUN_FINISHED, generator -> generator.writeStringField("state", state));
    }

    /**
     * Appends one event and returns its sequence number, or -1 when the journal is closed
     * or full (the event is dropped and counted). A memory write: no file is created,
     * mapped, read or written here, and no storage failure leaves this method.
     */
    public long append(String type, EventEncoder.Payload payload) {
        synchronized (appendLock) {
            if (closed) {
                return -1;
            }
            long seq = lastSeq + 1;
            Instant now = Instant.now(); // taken apart here: it need not be allocated
            return place(seq, type, encoder.encode(seq, type, now.getEpochSecond(), now.getNano(), payload));
        }
    }

    /**
     * Appends one event whose payload object is already encoded (UTF-8 JSON, not
     * checked), for a caller that encodes its metrics once: the sender can forward the
     * same bytes.
     */
    public long appendEncoded(String type, byte[] payloadJson, int offset, int length) {
        synchronized (appendLock) {
            if (closed) {
                return -1;
            }
            long seq = lastSeq + 1;
            Instant now = Instant.now();
            return place(seq, type,
                    encoder.encodeRaw(seq, type, now.getEpochSecond(), now.getNano(), payloadJson, offset, length));
        }
    }

    private long place(long seq, String type, EventEncoder.Buffer line) {
        int length = line.length();
        Segment segment = active;
        if (segment == null || segment.capacity - segment.limit < length) {
            segment = nextSegment(seq, length, true);
            if (segment == null) {
                return drop(type, seq);
            }
        }
        try {
            segment.put(line.array(), length);
        }
        catch (InternalError e) {
            // A mapped page with no storage behind it. The owner preallocates real blocks
            // so that a full disk cannot cause this; a file truncated under the journal
            // (or a copy-on-write file system) still can, and the JVM may raise it here
            // or later: where it is raised here, that file takes nothing more.
            mappedFault = "a write to " + segment.file + " failed: " + e.getMessage();
            segment = nextSegment(seq, length, false);
            if (segment == null) {
                return drop(type, seq);
            }
            segment.put(line.array(), length);
        }
        segment.lastSeq = seq;
        segment.limit += length; // volatile write: publishes the bytes to readers
        lastSeq = seq;
        return seq;
    }

    /**
     * Retires the active segment and starts the next: the owner's spare if it is ready,
     * else a heap segment; {@code null} when the bounds allow neither.
     */
    private Segment nextSegment(long firstSeq, int length, boolean mappedAllowed) {
        Segment previous = active;
        if (previous != null) {
            previous.retired = true;
        }
        active = null;
        Segment next = null;
        Segment.Spare ready = mappedAllowed ? spares.peek() : null;
        if (ready != null && ready.capacity() >= length && heldBytes.get() + ready.capacity() <= maxBytes) {
            next = Segment.mapped(firstSeq, spares.poll()); // the appender is the only
                                                            // taker
        }
        else {
            if (ready == null && mappedAllowed && owner != null && storageProblem == null) {
                // the owner is behind: more slack from now on
                sparesWanted = Math.min(maxSpares, sparesWanted * 2);
            }
            int capacity = Math.max(length, Math.min(segmentBytes, HEAP_SEGMENT_BYTES));
            if (heldBytes.get() + capacity > maxBytes) {
                dropReason = "the spool holds its maximum of " + maxBytes + " bytes of undelivered events";
            }
            else if (heapBytes.get() + capacity > heapLimit) {
                dropReason = "no segment file ready" + (storageProblem != null ? " (" + storageProblem + ")" : "")
                        + " and the memory buffer of " + heapLimit + " bytes is full";
            }
            else {
                next = Segment.onHeap(firstSeq, capacity);
                heapBytes.addAndGet(capacity);
            }
        }
        if (next != null) {
            heldBytes.addAndGet(next.capacity);
            segments.add(next);
            active = next;
        }
        if (owner != null) {
            owner.wake();
        }
        return next;
    }

    private long drop(String type, long seq) {
        droppedEvents++;
        if (owner == null) {
            dropLogger.log("Dalva in-memory journal full ({}): dropped {} event {}; {} event(s) dropped so far.",
                    dropReason, type, seq, droppedEvents);
        }
        return -1;
    }

    /**
     * Records that every event up to {@code seq} is done (never past a missing range);
     * the owner records it and deletes what it covers.
     */
    public void acknowledge(long seq) {
        if (seq > doneSeq) {
            doneSeq = seq;
        }
        long bounded = Math.min(seq, firstGap - 1);
        if (bounded <= deliveredSeq) {
            return;
        }
        deliveredSeq = bounded;
        if (owner != null) {
            owner.wake();
        }
        else {
            Segment current = active;
            for (Segment segment : segments) {
                if (segment != current && segment.lastSeq <= bounded) {
                    forget(segment);
                }
            }
        }
    }

    /** Asks the owner to force written events to the storage device soon. */
    public void force() {
        if (owner != null) {
            owner.wake();
        }
    }

    /** A reader of the events after {@code afterSeq}; closed with the journal. */
    public JournalReader reader(long afterSeq) {
        JournalReader reader = new JournalReader(this, afterSeq);
        readers.add(reader);
        return reader;
    }

    /**
     * Stops appending, lets the owner seal and record everything, releases every file,
     * mapping and the folder's lock.
     */
    @Override
    public void close() {
        stop();
        releaseLock();
    }

    /**
     * Stops appending, lets the owner seal and record everything; the lock stays. Every
     * caller waits for the owner, not only the first.
     */
    private void stop() {
        synchronized (appendLock) {
            if (!closed) {
                closed = true;
                if (active != null) {
                    active.retired = true;
                }
            }
        }
        if (owner != null) {
            owner.stop(CLOSE_TIMEOUT_NANOS);
        }
        for (JournalReader reader : readers) {
            reader.close();
        }
    }

    /**
     * Closes the journal and deletes its folder (everything in it was delivered), except
     * damaged bytes, which stay with the manifest that names their run and the delivered
     * marker (so that a later replay knows the events around them were delivered).
     *
     * <p>
     * The folder stays locked until nothing of it is left but its lock file, which goes
     * last, still locked: no other process or journal takes the folder while it is being
     * deleted, and none is left holding the lock of a folder that still has files. A
     * journal closed before deletes nothing: the folder is no longer its own (another
     * journal may have taken it since).
     */
    public void delete() {
        stop();
        if (dir == null) {
            return;
        }
        FolderLock lock = folderLock;
        if (!lock.isHeld()) {
            log.debug("The spool {} was closed before its delete: it may be another journal's now, not deleted.", dir);
            return;
        }
        try {
            FolderDeletion.deleteDelivered(dir, lock);
        }
        catch (IOException e) {
            log.debug("Cannot delete the delivered spool {}.", dir, e);
        }
        finally {
            lock.close();
        }
    }

    private void releaseLock() {
        if (folderLock != null) {
            folderLock.close();
        }
    }

    // --- for the owner ----------------------------------------------------------------

    JournalStorage storage() {
        return storage;
    }

    int segmentBytes() {
        return segmentBytes;
    }

    long heapLimit() {
        return heapLimit;
    }

    boolean isClosed() {
        return closed;
    }

    Iterable<Segment> segments() {
        return segments;
    }

    Segment activeSegment() {
        return active;
    }

    /** For a reader being closed. */
    void removeReader(JournalReader reader) {
        readers.remove(reader);
    }

    /** Whether the owner should map another segment ahead of need. */
    boolean wantsSpare() {
        return spares.size() < sparesWanted;
    }

    int sparesWanted() {
        return sparesWanted;
    }

    int sparesReady() {
        return spares.size();
    }

    /** How many segments make {@code bytes} of spares: two at least, 128 at most. */
    private static int spares(int bytes, int segmentBytes) {
        return Math.min(128, Math.max(2, bytes / segmentBytes));
    }

    void offerSpare(Segment.Spare ready) {
        spares.add(ready);
    }

    /** Only once closed: the appender takes no more. */
    Segment.Spare takeSpare() {
        return spares.poll();
    }

    String takeMappedFault() {
        String fault = mappedFault;
        mappedFault = null;
        return fault;
    }

    String dropReason() {
        return dropReason;
    }

    void noteStorageProblem(String reason) {
        storageProblem = reason;
    }

    /** Drops a segment from the journal (delivered or empty). */
    void forget(Segment segment) {
        if (segments.remove(segment)) {
            heldBytes.addAndGet(-segment.capacity);
            releaseHeap(segment);
        }
    }

    /** A heap segment's bytes are in a file now. */
    void releaseHeap(Segment segment) {
        if (segment.heap != null) {
            segment.heap = null;
            heapBytes.addAndGet(-segment.capacity);
        }
    }

}
