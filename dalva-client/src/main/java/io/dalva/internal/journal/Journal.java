package io.dalva.internal.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The append-only event journal of one run: the queue between the recording thread and
 * the sender, and the spool that survives a crash.
 *
 * <p>
 * On disk a run is a folder {@code manifest.json} + {@code events/<first seq>.jsonl}, one
 * JSON event per line in the format of Dalva's own journal. {@link #append} encodes the
 * event and copies it into a memory-mapped segment file: a memory write, no system call,
 * yet the bytes belong to the operating system's page cache at once, so they survive the
 * death of the process (SIGKILL, OOM). {@link #force()} (on the sender's timer and at
 * finish) also makes them survive a power loss. Segments are preallocated
 * ({@code segmentBytes}, sparse) and end at the first NUL byte; a full segment is sealed
 * and a new one mapped. The sender reads events back through a {@link Reader}, and
 * {@link #acknowledge} records (in the 8-byte mapped file {@code delivered}) the highest
 * sequence number the server has taken, deleting segments it covers.
 *
 * <p>
 * Without a directory the same segments live on the Java heap (bounded, lost with the
 * process).
 *
 * <p>
 * Threads: any number of recording threads append (serialized by one lock that only they
 * take); one sender thread reads, acknowledges, forces and maps spare segments without
 * ever taking that lock, so a recording thread never waits for the sender, let alone the
 * server.
 */
public final class Journal implements AutoCloseable {

    private static final Log log = Log.of(Journal.class);

    private static final WarnThenDebug dropLogger = new WarnThenDebug(Journal.class);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String EVENTS = "events";
    static final String DELIVERED = "delivered";
    static final String LOCK = "lock";

    private final Path dir;

    private final int segmentBytes;

    private final long maxBytes;

    private final Object appendLock = new Object(); // taken by recording threads only

    private final EventEncoder encoder = new EventEncoder(); // guarded by appendLock

    private final List<Segment> segments = new CopyOnWriteArrayList<>(); // ordered by
                                                                         // firstSeq

    private final ConcurrentLinkedQueue<MappedByteBuffer> unforced = new ConcurrentLinkedQueue<>();

    private final AtomicReference<Spare> spare = new AtomicReference<>(); // mapped ahead
                                                                          // by the sender

    private final AtomicLong nextFileIndex = new AtomicLong(1);

    private final AtomicLong heldBytes = new AtomicLong();

    private final long recoveredSeq;

    private final MappedByteBuffer deliveredFile;

    private final FileChannel lockChannel;

    private final FileLock fileLock;

    private volatile Segment active; // written under appendLock

    private volatile long lastSeq; // written under appendLock

    private long droppedEvents; // guarded by appendLock

    private volatile boolean closed; // written under appendLock

    private volatile long deliveredSeq; // written by the sender

    private Journal(Path dir, int segmentBytes, long maxBytes) throws IOException {
        if (segmentBytes < 256) {
            throw new IllegalArgumentException("segmentBytes must be at least 256, got " + segmentBytes);
        }
        if (maxBytes < segmentBytes) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " is below segmentBytes " + segmentBytes);
        }
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        if (dir == null) {
            recoveredSeq = 0;
            deliveredFile = null;
            lockChannel = null;
            fileLock = null;
            return;
        }
        Files.createDirectories(dir.resolve(EVENTS));
        lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        }
        catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new IllegalStateException("spool " + dir + " is in use by another run or process");
        }
        fileLock = acquired;
        try (FileChannel channel = FileChannel.open(dir.resolve(DELIVERED), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            deliveredFile = channel.map(FileChannel.MapMode.READ_WRITE, 0, Long.BYTES);
        }
        deliveredSeq = deliveredFile.getLong(0);
        recover();
        recoveredSeq = lastSeq;
    }

    /**
     * Opens (creating or recovering) the journal in a run folder; the folder is locked
     * until close.
     */
    public static Journal open(Path dir, int segmentBytes, long maxBytes) throws IOException {
        return new Journal(dir, segmentBytes, maxBytes);
    }

    /** A journal on the Java heap: bounded by {@code maxBytes}, lost with the process. */
    public static Journal inMemory(int segmentBytes, long maxBytes) {
        try {
            return new Journal(null, segmentBytes, maxBytes);
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

    public long lastSeq() {
        return lastSeq;
    }

    public long droppedEvents() {
        synchronized (appendLock) {
            return droppedEvents;
        }
    }

    /** Bytes of segments that hold undelivered events (file size or heap). */
    long heldBytes() {
        return heldBytes.get();
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

    public long appendRunCreated(String project, String name, Map<String, ?> config, String resumeFrom,
            String forkFrom) {
        return append(JournalEvent.RUN_CREATED, generator -> {
            generator.writeStringField("project", project);
            generator.writeStringField("name", name);
            generator.writeFieldName("config");
            EventEncoder.writeMap(generator, config == null ? Map.of() : config);
            generator.writeStringField("resume_from", resumeFrom);
            generator.writeStringField("fork_from", forkFrom);
        });
    }

    public long appendRunFinished(String state) {
        return append(JournalEvent.RUN_FINISHED, generator -> generator.writeStringField("state", state));
    }

    /**
     * Appends one event and returns its sequence number, or -1 when the journal is closed
     * or full (the event is dropped, counted and logged). Never blocks on I/O except to
     * map a new segment.
     */
    public long append(String type, EventEncoder.Payload payload) {
        synchronized (appendLock) {
            if (closed) {
                return -1;
            }
            long seq = lastSeq + 1;
            EventEncoder.Buffer line = encoder.encode(seq, type, Instant.now(), payload);
            int length = line.length();
            if (active == null || active.capacity - active.limit < length) {
                int capacity = Math.max(segmentBytes, length);
                if (heldBytes.get() + capacity > maxBytes) {
                    droppedEvents++;
                    dropLogger.log("Dalva spool full (" + maxBytes + " bytes"
                            + (dir == null ? " in memory" : " in " + dir) + "): dropped " + type + " event " + seq
                            + "; " + droppedEvents + " event(s) dropped so far");
                    return -1;
                }
                startSegment(seq, capacity);
            }
            Segment segment = active;
            segment.buffer.put(segment.limit, line.array(), 0, length);
            segment.lastSeq = seq;
            segment.limit += length; // volatile write: publishes the bytes to the reader
            lastSeq = seq;
            return seq;
        }
    }

    private void startSegment(long firstSeq, int capacity) {
        Segment previous = active;
        if (previous != null && previous.buffer instanceof MappedByteBuffer mapped) {
            unforced.add(mapped);
            previous.buffer = null; // readers keep their own views; the mapping goes with
                                    // the last one
        }
        Segment segment = null;
        Spare ready = spare.getAndSet(null);
        if (ready != null && ready.buffer.capacity() >= capacity) {
            segment = new Segment(firstSeq, ready.file, ready.buffer, ready.buffer.capacity());
        }
        else {
            discard(ready);
            if (dir != null) {
                try {
                    Spare created = mapNewFile(capacity);
                    segment = new Segment(firstSeq, created.file, created.buffer, capacity);
                }
                catch (IOException e) {
                    log.warn("Cannot create a Dalva spool segment in " + dir + " (" + e + "); keeping events in memory",
                            e);
                }
            }
        }
        if (segment == null) {
            segment = new Segment(firstSeq, null, ByteBuffer.allocate(capacity), capacity);
        }
        heldBytes.addAndGet(segment.capacity);
        segments.add(segment);
        active = segment;
    }

    /**
     * Maps the next segment file ahead of need, so that {@link #append} rarely waits for
     * the file system.
     */
    public void prepareSpare() {
        if (dir == null || closed || spare.get() != null) {
            return;
        }
        Spare created;
        try {
            created = mapNewFile(segmentBytes);
        }
        catch (IOException e) {
            log.debug("Cannot prepare a Dalva spool segment in " + dir, e);
            return;
        }
        if (!spare.compareAndSet(null, created)) {
            discard(created);
        }
    }

    private void discard(Spare unused) {
        if (unused == null) {
            return;
        }
        try {
            Files.deleteIfExists(unused.file);
        }
        catch (IOException e) {
            log.debug("Cannot delete unused spool segment " + unused.file, e);
        }
    }

    /**
     * Creates and maps a segment file, and takes its page faults now rather than in
     * {@link #append}.
     */
    private Spare mapNewFile(int capacity) throws IOException {
        Path file = dir.resolve(EVENTS).resolve(segmentName(nextFileIndex.getAndIncrement()));
        MappedByteBuffer buffer;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
        }
        for (int page = 0; page < capacity; page += 4096) {
            buffer.put(page, (byte) 0);
        }
        return new Spare(file, buffer);
    }

    /**
     * Segment files are numbered in creation order; each event inside carries its own
     * seq.
     */
    static String segmentName(long fileIndex) {
        return String.format("%020d.jsonl", fileIndex);
    }

    private record Spare(Path file, MappedByteBuffer buffer) {
    }

    /**
     * Records that every event up to {@code seq} is done and deletes the segments this
     * covers; ignored once closed.
     */
    public void acknowledge(long seq) {
        if (closed || seq <= deliveredSeq) {
            return; // a closed journal may already belong to a replay: leave its files
                    // alone
        }
        deliveredSeq = seq;
        if (deliveredFile != null) {
            deliveredFile.putLong(0, seq);
        }
        Segment current = active;
        List<Segment> done = new ArrayList<>();
        for (Segment segment : segments) {
            if (segment != current && segment.lastSeq <= seq) {
                done.add(segment);
            }
        }
        segments.removeAll(done);
        for (Segment segment : done) {
            heldBytes.addAndGet(-segment.capacity);
            if (segment.file != null) {
                try {
                    Files.deleteIfExists(segment.file);
                }
                catch (IOException e) {
                    log.debug("Cannot delete delivered spool segment " + segment.file, e);
                }
            }
        }
    }

    /**
     * Forces written events to the storage device (for power loss; a crash needs
     * nothing).
     */
    public void force() {
        List<MappedByteBuffer> buffers = new ArrayList<>();
        for (MappedByteBuffer sealed = unforced.poll(); sealed != null; sealed = unforced.poll()) {
            buffers.add(sealed);
        }
        Segment current = active;
        if (current != null && current.buffer instanceof MappedByteBuffer mapped) {
            buffers.add(mapped);
        }
        if (deliveredFile != null) {
            buffers.add(deliveredFile);
        }
        for (MappedByteBuffer buffer : buffers) {
            try {
                buffer.force();
            }
            catch (UncheckedIOException e) {
                log.debug("Cannot force Dalva spool to disk", e);
            }
        }
    }

    /** A reader of the events after {@code afterSeq}, in order. */
    public Reader reader(long afterSeq) {
        return new Reader(afterSeq);
    }

    /** Forces, then stops appending and releases the folder's lock. */
    @Override
    public void close() {
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        force();
        discard(spare.getAndSet(null));
        releaseLock();
    }

    /** Closes the journal and deletes its folder (everything in it was delivered). */
    public void delete() {
        close();
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException e) {
            log.debug("Cannot delete delivered spool " + dir, e);
        }
    }

    private void releaseLock() {
        if (lockChannel == null) {
            return;
        }
        try {
            fileLock.release();
            lockChannel.close();
        }
        catch (IOException e) {
            log.debug("Cannot release spool lock " + dir, e);
        }
    }

    private void recover() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.resolve(EVENTS), "*.jsonl")) {
            stream.forEach(files::add);
        }
        files.sort(Comparator.comparing(path -> path.getFileName().toString()));
        for (Path file : files) {
            nextFileIndex.set(Math.max(nextFileIndex.get(), fileIndex(file) + 1));
            Segment segment = recoverSegment(file);
            if (segment == null || segment.lastSeq <= deliveredSeq) {
                Files.deleteIfExists(file);
                continue;
            }
            segments.add(segment);
            heldBytes.addAndGet(segment.capacity);
            lastSeq = Math.max(lastSeq, segment.lastSeq);
        }
        lastSeq = Math.max(lastSeq, deliveredSeq);
    }

    private static long fileIndex(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - ".jsonl".length()));
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Reads a segment left by an earlier process: its events end at the first NUL or
     * broken line.
     */
    private static Segment recoverSegment(Path file) throws IOException {
        long size = Files.size(file);
        if (size == 0 || size > Integer.MAX_VALUE) {
            return null;
        }
        MappedByteBuffer buffer;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        int position = 0;
        long firstSeq = -1;
        long lastSeq = -1;
        while (position < size) {
            int end = lineEnd(buffer, position, (int) size);
            if (end < 0) {
                break;
            }
            JournalEvent event = parse(buffer, position, end);
            if (event == null) {
                break;
            }
            if (firstSeq < 0) {
                firstSeq = event.seq();
            }
            lastSeq = event.seq();
            position = end + 1;
        }
        if (firstSeq < 0) {
            return null;
        }
        Segment segment = new Segment(firstSeq, file, null, (int) size);
        segment.limit = position;
        segment.lastSeq = lastSeq;
        return segment;
    }

    /**
     * The index of the newline ending the line at {@code start}, or -1 (NUL or end
     * first).
     */
    private static int lineEnd(ByteBuffer buffer, int start, int limit) {
        for (int i = start; i < limit; i++) {
            byte b = buffer.get(i);
            if (b == '\n') {
                return i;
            }
            if (b == 0) {
                return -1;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static JournalEvent parse(ByteBuffer buffer, int start, int end) {
        byte[] bytes = new byte[end - start];
        buffer.get(start, bytes);
        try {
            Map<String, Object> json = MAPPER.readValue(bytes, Map.class);
            Object seq = json.get("seq");
            Object type = json.get("type");
            Object payload = json.get("payload");
            if (!(seq instanceof Number number) || type == null) {
                return null;
            }
            return new JournalEvent(number.longValue(), type.toString(), String.valueOf(json.get("timestamp")),
                    payload instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of());
        }
        catch (IOException e) {
            return null;
        }
    }

    private static final class Segment {

        final long firstSeq;

        final Path file;

        final int capacity;

        volatile ByteBuffer buffer; // null once sealed (file-backed) or recovered: read
                                    // the file

        volatile int limit;

        volatile long lastSeq;

        Segment(long firstSeq, Path file, ByteBuffer buffer, int capacity) {
            this.firstSeq = firstSeq;
            this.file = file;
            this.buffer = buffer;
            this.capacity = capacity;
        }

    }

    /** Reads events in order; used by a single sender thread. */
    public final class Reader {

        private final long afterSeq;

        private Segment segment;

        private ByteBuffer view;

        private int position;

        private JournalEvent peeked;

        private Reader(long afterSeq) {
            this.afterSeq = afterSeq;
        }

        /**
         * The next event without consuming it, or {@code null} when none is available
         * yet.
         */
        public JournalEvent peek() {
            if (peeked == null) {
                peeked = read();
            }
            return peeked;
        }

        /** The next event, or {@code null} when none is available yet. */
        public JournalEvent next() {
            JournalEvent event = peek();
            peeked = null;
            return event;
        }

        private JournalEvent read() {
            while (true) {
                if (segment == null && !moveTo(null)) {
                    return null;
                }
                int limit = segment.limit;
                if (position >= limit) {
                    if (!moveTo(segment)) {
                        return null;
                    }
                    continue;
                }
                int end = lineEnd(view, position, limit);
                if (end < 0) { // cannot happen for our own appends; a torn line from a
                               // crash ends the segment
                    position = limit;
                    continue;
                }
                JournalEvent event = parse(view, position, end);
                position = end + 1;
                if (event != null && event.seq() > afterSeq) {
                    return event;
                }
            }
        }

        /**
         * Moves past {@code current} (null: to the first segment) if a later segment
         * exists.
         */
        private boolean moveTo(Segment current) {
            Segment nextSegment = null;
            for (Segment candidate : segments) {
                if (current == null || candidate.firstSeq > current.firstSeq) {
                    nextSegment = candidate;
                    break;
                }
            }
            // A segment is complete once the next one exists: look at the limit after the
            // list.
            if (current != null && position < current.limit) {
                return true;
            }
            if (nextSegment == null) {
                return false;
            }
            ByteBuffer buffer = nextSegment.buffer;
            buffer = buffer == null ? null : buffer.duplicate();
            if (buffer == null) {
                try (FileChannel channel = FileChannel.open(nextSegment.file, StandardOpenOption.READ)) {
                    buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, nextSegment.capacity);
                }
                catch (IOException e) {
                    log.warn("Cannot read spool segment " + nextSegment.file + "; its events are skipped", e);
                    segment = nextSegment;
                    view = ByteBuffer.allocate(0);
                    position = nextSegment.limit;
                    return true;
                }
            }
            segment = nextSegment;
            view = buffer;
            position = 0;
            return true;
        }

    }

}
