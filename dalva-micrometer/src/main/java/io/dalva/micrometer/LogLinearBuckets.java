package io.dalva.micrometer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free counts of non-negative values in log-linear buckets, the store of a
 * {@link StepHistogram}. Every power of two {@code [2^e, 2^(e+1))} is split into 64
 * buckets of equal width, found straight from the value's bits (its exponent and the top
 * 6 bits of its mantissa), so a recording is a shift and one atomic increment. A bucket's
 * midpoint is within 1/128 (0.79 %) of every value in the bucket. Values below
 * {@code 2^-1022} (zero, subnormals) share one bucket, read as 0.
 *
 * <p>
 * Memory: the 64 counters of a power of two (528 bytes) are allocated when its first
 * value arrives, plus one reference per power of two between the smallest and the largest
 * seen; a timer whose recordings span 1 ms to 1 s (10 powers of two) holds about 5.5 KB.
 *
 * <p>
 * {@link #drain} takes what was counted since the previous drain: each counter loses
 * exactly what was read from it, so a recording that lands during a drain is taken by
 * this drain or by the next one, never by both or by none. Drains must not run
 * concurrently with each other (the registry's step lock orders them); {@link #read}
 * takes nothing and may run at any time.
 */
final class LogLinearBuckets {

    /** Bits of the mantissa that select a bucket within its power of two. */
    static final int SUB_BITS = 6;

    private static final int SUBS = 1 << SUB_BITS;

    private static final int SHIFT = 52 - SUB_BITS;

    private static final VarHandle OCTAVES;

    static {
        try {
            OCTAVES = MethodHandles.lookup().findVarHandle(LogLinearBuckets.class, "octaves", Octaves.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Values below {@link Double#MIN_NORMAL}, read as 0. */
    private final AtomicLong zeros = new AtomicLong();

    /** Replaced, never changed, when a power of two gets its first value. */
    private volatile Octaves octaves = Octaves.NONE;

    /**
     * Counts a value.
     * @param value a value at or above 0 (a negative value counts as its absolute value)
     */
    void record(double value) {
        long bits = Double.doubleToRawLongBits(value) & Long.MAX_VALUE;
        int octave = (int) (bits >>> 52);
        if (octave == 0) {
            zeros.incrementAndGet();
            return;
        }
        Octaves current = this.octaves;
        AtomicLongArray counts = current.counts(octave);
        if (counts == null) {
            counts = add(octave);
        }
        counts.incrementAndGet((int) (bits >>> SHIFT) & (SUBS - 1));
    }

    private AtomicLongArray add(int octave) {
        while (true) {
            Octaves current = this.octaves;
            AtomicLongArray existing = current.counts(octave);
            if (existing != null) {
                return existing;
            }
            AtomicLongArray counts = new AtomicLongArray(SUBS);
            // the new table shares every existing counter array, so no count is lost
            if (OCTAVES.compareAndSet(this, current, current.with(octave, counts))) {
                return counts;
            }
        }
    }

    /**
     * @return how many values are counted and not drained (a moment's reading)
     */
    long count() {
        long count = zeros.get();
        Octaves current = this.octaves;
        for (AtomicLongArray counts : current.counts) {
            if (counts != null) {
                for (int sub = 0; sub < SUBS; sub++) {
                    count += counts.get(sub);
                }
            }
        }
        return count;
    }

    /**
     * @return how many powers of two have their counters allocated
     */
    int powersOfTwo() {
        int allocated = 0;
        for (AtomicLongArray counts : this.octaves.counts) {
            allocated += (counts != null) ? 1 : 0;
        }
        return allocated;
    }

    /**
     * Takes every value counted since the previous drain and finds the values at the
     * given ranks among them, without allocating.
     * @param ranks 1-based ranks in ascending order
     * @param values receives, for each rank, the midpoint of the bucket holding the value
     * of that rank, or {@code NaN} when fewer values were taken
     * @return how many values were taken
     */
    long drain(long[] ranks, double[] values) {
        return scan(ranks, values, true);
    }

    /**
     * Like {@link #drain} but takes nothing: the values counted since the previous drain
     * stay for the next one.
     */
    long read(long[] ranks, double[] values) {
        return scan(ranks, values, false);
    }

    private long scan(long[] ranks, double[] values, boolean drain) {
        long seen = drain ? take(zeros) : zeros.get();
        int next = found(ranks, values, 0, seen, 0.0);
        Octaves current = this.octaves;
        for (int slot = 0; slot < current.counts.length; slot++) {
            AtomicLongArray counts = current.counts[slot];
            if (counts == null) {
                continue;
            }
            for (int sub = 0; sub < SUBS; sub++) {
                long count = counts.get(sub);
                if (count == 0) {
                    continue;
                }
                if (drain) {
                    counts.getAndAdd(sub, -count);
                }
                seen += count;
                if (next < ranks.length && ranks[next] <= seen) {
                    next = found(ranks, values, next, seen, midpoint(current.first + slot, sub));
                }
            }
        }
        for (int i = next; i < ranks.length; i++) {
            values[i] = Double.NaN;
        }
        return seen;
    }

    private static long take(AtomicLong counter) {
        long count = counter.get();
        if (count != 0) {
            counter.getAndAdd(-count);
        }
        return count;
    }

    private static int found(long[] ranks, double[] values, int next, long seen, double value) {
        while (next < ranks.length && ranks[next] <= seen) {
            values[next++] = value;
        }
        return next;
    }

    /**
     * @return the middle of bucket {@code sub} of the power of two whose biased exponent
     * is {@code octave}
     */
    static double midpoint(int octave, int sub) {
        double low = Double.longBitsToDouble(((long) octave << 52) | ((long) sub << SHIFT));
        if (Double.isInfinite(low)) {
            return low;
        }
        return low + Math.scalb(0.5, octave - 1023 - SUB_BITS);
    }

    /** The counter arrays of the powers of two from {@code first} on. */
    private static final class Octaves {

        static final Octaves NONE = new Octaves(0, new AtomicLongArray[0]);

        final int first;

        final AtomicLongArray[] counts;

        private Octaves(int first, AtomicLongArray[] counts) {
            this.first = first;
            this.counts = counts;
        }

        AtomicLongArray counts(int octave) {
            int slot = octave - first;
            return (slot >= 0 && slot < counts.length) ? counts[slot] : null;
        }

        Octaves with(int octave, AtomicLongArray added) {
            if (counts.length == 0) {
                return new Octaves(octave, new AtomicLongArray[] { added });
            }
            int newFirst = Math.min(first, octave);
            int newLast = Math.max(first + counts.length - 1, octave);
            AtomicLongArray[] copy = new AtomicLongArray[newLast - newFirst + 1];
            System.arraycopy(counts, 0, copy, first - newFirst, counts.length);
            copy[octave - newFirst] = added;
            return new Octaves(newFirst, copy);
        }

    }

}
