package io.dalva.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * CPU time and allocated bytes of the JVM's threads, read through
 * {@code com.sun.management.ThreadMXBean}: {@link #take} reads every live thread (JIT
 * compiler and GC threads are not Java threads and are not among them), {@link #since}
 * gives what the threads used between two readings. A thread started between the two
 * readings counts with all it used; one that ended in between is missed.
 *
 * <p>
 * The reading thread's own values are read last when a measurement starts and first when
 * it ends ({@link #startOnCurrentThread}, {@link #endOnCurrentThread}), so the cost of
 * reading the other threads stays out of the measured window.
 */
final class ThreadUsage {

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private final Map<Long, long[]> byThread;

    private ThreadUsage(Map<Long, long[]> byThread) {
        this.byThread = byThread;
    }

    /** Reads every live thread that {@code include} accepts (by thread id). */
    static ThreadUsage take(LongPredicate include) {
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        long[] allocated = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, long[]> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] >= 0 && allocated[i] >= 0 && include.test(ids[i])) {
                byThread.put(ids[i], new long[] { cpu[i], allocated[i] });
            }
        }
        return new ThreadUsage(byThread);
    }

    /** Every thread but the current one, then the current one last. */
    static ThreadUsage startOnCurrentThread() {
        long current = Thread.currentThread().getId();
        ThreadUsage usage = take((id) -> id != current);
        usage.byThread.put(current, currentThread());
        return usage;
    }

    /** The current thread first, then every other thread. */
    static ThreadUsage endOnCurrentThread() {
        long[] mine = currentThread();
        long current = Thread.currentThread().getId();
        ThreadUsage usage = take((id) -> id != current);
        usage.byThread.put(current, mine);
        return usage;
    }

    /** What the threads of this reading used since {@code start}. */
    Delta since(ThreadUsage start) {
        return since(start, (id) -> true);
    }

    /**
     * What the threads of this reading that {@code include} accepts used since
     * {@code start}.
     */
    Delta since(ThreadUsage start, LongPredicate include) {
        long cpu = 0;
        long allocated = 0;
        for (Map.Entry<Long, long[]> thread : byThread.entrySet()) {
            if (!include.test(thread.getKey())) {
                continue;
            }
            long[] before = start.byThread.getOrDefault(thread.getKey(), new long[2]);
            cpu += Math.max(0, thread.getValue()[0] - before[0]);
            allocated += Math.max(0, thread.getValue()[1] - before[1]);
        }
        return new Delta(cpu, allocated);
    }

    private static long[] currentThread() {
        return new long[] { THREADS.getCurrentThreadCpuTime(), THREADS.getCurrentThreadAllocatedBytes() };
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadCpuTimeSupported() || !threads.isThreadAllocatedMemorySupported()) {
            throw new UnsupportedOperationException("this JVM does not measure thread CPU time and allocation");
        }
        threads.setThreadCpuTimeEnabled(true);
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }

    /** CPU nanoseconds and allocated bytes used between two readings. */
    record Delta(long cpuNanos, long allocatedBytes) {

    }

}
