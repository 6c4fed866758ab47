package io.dalva.benchmarks;

import java.util.Arrays;

/**
 * Every duration recorded, in nanoseconds, in log-linear buckets: 32 per power of two, so
 * a percentile read from it is within 1/32 (3%) of the true value, and never below it. A
 * fixed array of counts: recording allocates nothing and takes a few nanoseconds.
 * <p>
 * Why not JMH's {@code Mode.SampleTime}: it picks the calls it times by the low bits of a
 * linear congruential generator, which cycle, so it times exactly every 2^k-th call: work
 * done every 2^n calls (the delivery backlog merges its entries once per 32,768 events
 * past 65,536) is in every sample or in none, by the phase a run starts with. And each
 * time its buffer fills, it halves every count except counts of 1, so rare slow calls
 * weigh more than their share; its p99.9 rests on about a hundred samples. In the same
 * runs of {@link RunLogBenchmark#log} ({@code -bm sample}) it read a p99.9 of 105 and 180
 * µs where this histogram, every call timed, read 35 µs.
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 5;

    private static final int SUB_BUCKETS = 1 << SUB_BITS;

    private final long[] counts = new long[(64 - SUB_BITS) << SUB_BITS];

    private long total;

    private long max;

    void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[index(value)]++;
        total++;
        max = Math.max(max, value);
    }

    void clear() {
        Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /**
     * The smallest recorded duration that at least {@code quantile} of the calls do not
     * exceed, rounded up to its bucket's upper bound; 0 when nothing was recorded.
     */
    long quantile(double quantile) {
        if (!(quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("quantile must be within [0, 1], not " + quantile);
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    static int index(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
        return ((shift + 1) << SUB_BITS) + (int) ((value >>> shift) - SUB_BUCKETS);
    }

    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = (index >>> SUB_BITS) - 1;
        long mantissa = (index & (SUB_BUCKETS - 1)) + SUB_BUCKETS;
        return ((mantissa + 1) << shift) - 1;
    }

}
