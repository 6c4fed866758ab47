package io.dalva.client;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures calls made by the current thread: wall time, and the time the thread was off
 * the CPU for reasons of its own (blocked on I/O or a lock, sleeping, parked) rather than
 * because the machine was busy. On a loaded 2-core machine the scheduler can take a
 * runnable thread off the CPU for tens of milliseconds in the middle of any call; that is
 * not the call waiting, so it is subtracted, and so are garbage collection pauses:
 * blocked = wall - on-CPU time - time spent runnable in the run queue (Linux
 * {@code /proc/thread-self/schedstat}) - GC time. Also counts how often the thread
 * entered a waiting state (park, sleep, {@code Object.wait}) inside a call. Where
 * schedstat is missing, blocked time is wall time minus CPU time.
 */
public final class CallTimer {

    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();

    private final long thread = Thread.currentThread().getId();

    private final boolean schedstat = Files.isReadable(SCHEDSTAT);

    private long[] wall = new long[1024];

    private long maxBlocked;

    private int slowestCall = -1;

    private long waits;

    private int calls;

    private long waitedBefore;

    private long cpuBefore;

    private long queuedBefore;

    private long gcBefore;

    private long start;

    public void begin() {
        waitedBefore = threads.getThreadInfo(thread).getWaitedCount();
        queuedBefore = runQueueNanos();
        gcBefore = gcMillis();
        cpuBefore = threads.getCurrentThreadCpuTime();
        start = System.nanoTime();
    }

    public void end() {
        long took = System.nanoTime() - start;
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        long queued = runQueueNanos() - queuedBefore;
        long gc = TimeUnit.MILLISECONDS.toNanos(gcMillis() - gcBefore);
        waits += threads.getThreadInfo(thread).getWaitedCount() - waitedBefore;
        long blocked = took - cpu - queued - gc;
        if (blocked > maxBlocked) {
            maxBlocked = blocked;
            slowestCall = calls;
        }
        if (calls == wall.length) {
            wall = Arrays.copyOf(wall, calls * 2);
        }
        wall[calls++] = took;
    }

    /** The longest time a call was off the CPU on its own account (ns). */
    public long maxBlockedNanos() {
        return maxBlocked;
    }

    /** How many times a call entered a waiting state. */
    public long waits() {
        return waits;
    }

    int calls() {
        return calls;
    }

    /** The wall time (ns) below which {@code fraction} of the calls fall. */
    public long wallPercentile(double fraction) {
        long[] sorted = Arrays.copyOf(wall, calls);
        Arrays.sort(sorted);
        return sorted[Math.min(calls - 1, (int) (fraction * calls))];
    }

    long maxWall() {
        return Arrays.stream(wall, 0, calls).max().orElse(0);
    }

    public String summary() {
        return String.format("%d calls: median %d us, p99 %d us, max %d us wall; max blocked %d us (call %d); %d waits",
                calls, wallPercentile(0.5) / 1000, wallPercentile(0.99) / 1000, maxWall() / 1000, maxBlocked / 1000,
                slowestCall, waits);
    }

    private long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean collector : collectors) {
            total += Math.max(0, collector.getCollectionTime());
        }
        return total;
    }

    private long runQueueNanos() {
        if (!schedstat) {
            return 0;
        }
        try {
            String[] fields = Files.readString(SCHEDSTAT).trim().split(" ");
            return Long.parseLong(fields[1]);
        }
        catch (IOException | RuntimeException e) {
            return 0;
        }
    }

}
