package io.dalva.internal.journal;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A run of consecutive events: a mapped file while the appender fills it, a heap buffer
 * when no file could be had, a sealed file ({@code <first>-<last>-<sha256>.jsonl}, no
 * padding) once full. The appender writes only the active segment, under the journal's
 * lock; the {@link SegmentOwner} does every file operation; readers read bytes below
 * {@link #limit} through their own channel or from {@link #heap}, never through the
 * mapping.
 */
final class Segment {

    final long firstSeq;

    final int capacity;

    volatile long lastSeq;

    /** Bytes written; a volatile write publishes them to readers. */
    volatile int limit;

    /** The file holding the bytes, {@code null} while they are on the heap only. */
    volatile Path file;

    /** The bytes while on the heap ({@code null} once a file holds them). */
    volatile byte[] heap;

    /** The appender's mapping, until the owner unmaps it after retirement. */
    MappedByteBuffer mapped;

    /** The appender moved on: no more writes. */
    volatile boolean retired;

    /** The file holds exactly {@code [0, limit)} under its sealed name. */
    volatile boolean sealed;

    Segment(long firstSeq, int capacity) {
        this.firstSeq = firstSeq;
        this.capacity = capacity;
    }

    static Segment onHeap(long firstSeq, int capacity) {
        Segment segment = new Segment(firstSeq, capacity);
        segment.heap = new byte[capacity];
        return segment;
    }

    static Segment mapped(long firstSeq, Spare spare) {
        Segment segment = new Segment(firstSeq, spare.capacity());
        segment.file = spare.file();
        segment.mapped = spare.mapped();
        return segment;
    }

    /** A sealed file found on disk. */
    static Segment sealed(Path file, long firstSeq, long lastSeq, int length) {
        Segment segment = new Segment(firstSeq, length);
        segment.file = file;
        segment.lastSeq = lastSeq;
        segment.limit = length;
        segment.retired = true;
        segment.sealed = true;
        return segment;
    }

    /** Appender only. */
    void put(byte[] bytes, int length) {
        if (mapped != null) {
            mapped.put(limit, bytes, 0, length);
        }
        else {
            System.arraycopy(bytes, 0, heap, limit, length);
        }
    }

    boolean isMapped() {
        return mapped != null;
    }

    /**
     * A file the owner created, preallocated and mapped ahead of need.
     */
    record Spare(Path file, MappedByteBuffer mapped, int capacity) {
    }

    @Override
    public String toString() {
        return "Segment[" + firstSeq + ".." + lastSeq + " " + limit + "/" + capacity + " " + file + "]";
    }

}
