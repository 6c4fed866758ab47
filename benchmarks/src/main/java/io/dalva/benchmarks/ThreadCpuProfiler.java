package io.dalva.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * {@code -prof io.dalva.benchmarks.ThreadCpuProfiler}: CPU time of every live thread of
 * the benchmark JVM (benchmark thread, sender, HTTP client; not the JIT and GC threads)
 * per operation, as {@code cpu.time.norm} in ns/op. With {@code @OperationsPerInvocation}
 * an operation is one value, so this is the client's CPU time per value. Servers run in a
 * child JVM ({@link ChildJvm}) and are not counted. Each thread counts the CPU time it
 * used during the iteration (all of it for a thread started meanwhile); a thread that
 * ended during the iteration is missed, so long-lived threads are what it measures well.
 */
public final class ThreadCpuProfiler implements InternalProfiler {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    private Map<Long, Long> start = Map.of();

    public ThreadCpuProfiler() {
        if (!threads.isThreadCpuTimeSupported()) {
            throw new UnsupportedOperationException("this JVM does not measure thread CPU time");
        }
        threads.setThreadCpuTimeEnabled(true);
    }

    @Override
    public String getDescription() {
        return "CPU time of all live threads of the benchmark JVM per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        start = cpuNanosByThread();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        long used = 0;
        for (Map.Entry<Long, Long> thread : cpuNanosByThread().entrySet()) {
            used += thread.getValue() - start.getOrDefault(thread.getKey(), 0L);
        }
        long ops = result.getMetadata().getAllOps();
        if (ops == 0) {
            return List.of();
        }
        return List.of(new ScalarResult("cpu.time.norm", (double) used / ops, "ns/op", AggregationPolicy.AVG));
    }

    private Map<Long, Long> cpuNanosByThread() {
        Map<Long, Long> byThread = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos >= 0) {
                byThread.put(id, nanos);
            }
        }
        return byThread;
    }

}
