package io.dalva.internal.delivery;

import java.util.Arrays;

/**
 * The metric values of the events not delivered yet, and when the oldest of them was
 * logged: how far behind the server is, in values and time. A ring of (seq, values,
 * nanos) per logged event, trimmed as deliveries are acknowledged; one short lock per
 * call. Bounded: past {@value #MAX_ENTRIES} waiting events, neighbours are merged in
 * place (an entry then leaves when its last event is delivered, so while such a backlog
 * drains the count can stay high until the oldest merged entry is fully delivered), so a
 * long outage costs at most 1.5 MiB of heap; a merge, once per 32,768 events past that,
 * is 32,768 short steps without a division or an allocation.
 */
final class Backlog {

    static final int MAX_ENTRIES = 1 << 16;

    private long[] seqs = new long[256];

    private long[] counts = new long[256];

    private long[] times = new long[256];

    private int head;

    private int size;

    private long values;

    /** Records an event of {@code count} metric values, logged now. */
    synchronized void logged(long seq, int count) {
        if (seq <= 0 || count == 0) {
            return;
        }
        if (size == seqs.length) {
            if (size < MAX_ENTRIES) {
                grow();
            }
            else {
                mergeNeighbours();
            }
        }
        int slot = (head + size) & (seqs.length - 1); // a power of two
        seqs[slot] = seq;
        counts[slot] = count;
        times[slot] = System.nanoTime();
        size++;
        values += count;
    }

    /** Values of the events after {@code deliveredSeq}. */
    synchronized long values(long deliveredSeq) {
        trim(deliveredSeq);
        return values;
    }

    /**
     * How long the oldest undelivered value has waited, in nanoseconds; 0 when none
     * waits.
     */
    synchronized long oldestWaitNanos(long deliveredSeq) {
        trim(deliveredSeq);
        return size == 0 ? 0 : Math.max(0, System.nanoTime() - times[head]);
    }

    private void trim(long deliveredSeq) {
        while (size > 0 && seqs[head] <= deliveredSeq) {
            values -= counts[head];
            head = (head + 1) & (seqs.length - 1);
            size--;
        }
    }

    private void grow() {
        int capacity = seqs.length * 2;
        seqs = unroll(seqs, capacity);
        counts = unroll(counts, capacity);
        times = unroll(times, capacity);
        head = 0;
    }

    /**
     * Halves the entries in place (no allocation on the logging thread): each pair
     * becomes one (its last seq, both counts, the first time).
     */
    private void mergeNeighbours() {
        int mask = seqs.length - 1;
        int merged = 0;
        for (int i = 0; i < size; i += 2) { // writes stay behind reads: merged <= i / 2
            int first = (head + i) & mask;
            int last = (head + Math.min(i + 1, size - 1)) & mask;
            int into = (head + merged) & mask;
            long count = counts[first] + (last != first ? counts[last] : 0);
            long time = times[first];
            seqs[into] = seqs[last];
            counts[into] = count;
            times[into] = time;
            merged++;
        }
        size = merged;
    }

    private long[] unroll(long[] ring, int capacity) {
        long[] grown = Arrays.copyOf(ring, capacity);
        int wrapped = head + size - ring.length;
        if (head > 0) {
            System.arraycopy(ring, head, grown, 0, ring.length - head);
            System.arraycopy(ring, 0, grown, ring.length - head, Math.max(0, wrapped));
        }
        return grown;
    }

}
