package io.dalva.internal.journal;

/** Reads a journal's events in seq order; used by a single sender thread. */
public final class JournalReader implements AutoCloseable {

    private final Journal journal;

    private final ReadBuffer buffer = new ReadBuffer();

    private long lastReturned;

    private Segment segment;

    private int position;

    private JournalEvent peeked;

    JournalReader(Journal journal, long afterSeq) {
        this.journal = journal;
        this.lastReturned = afterSeq;
    }

    /**
     * The next event without consuming it, or {@code null} when none is available yet.
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
            boolean complete = segment.retired;
            int limit = segment.limit;
            if (position >= limit) {
                if (!complete || !moveTo(segment)) {
                    return null;
                }
                continue;
            }
            int lineLength = buffer.line(segment, position, limit);
            if (lineLength < -1) { // the file cannot be read now: try again later
                return null;
            }
            if (lineLength == -1) { // no newline before limit: an incomplete last
                                    // line
                position = limit;
                continue;
            }
            JournalEvent event = EventLine.parse(buffer.bytes(), buffer.lineStart(), lineLength);
            position += lineLength + 1;
            if (event != null && event.seq() > lastReturned) {
                lastReturned = event.seq();
                return event;
            }
        }
    }

    /** Moves to the first segment after {@code current} (null: the first at all). */
    private boolean moveTo(Segment current) {
        for (Segment candidate : journal.segments()) {
            if ((current == null || candidate.firstSeq > current.firstSeq)
                    && (candidate.lastSeq > lastReturned || candidate == journal.activeSegment())) {
                segment = candidate;
                position = 0;
                buffer.reset();
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        buffer.close();
        journal.removeReader(this);
    }

}
