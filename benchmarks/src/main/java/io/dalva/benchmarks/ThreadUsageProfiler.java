package io.dalva.benchmarks;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * {@code -prof io.dalva.benchmarks.ThreadUsageProfiler}: per operation, over each
 * iteration, the CPU time and the allocated bytes of
 * <ul>
 * <li>the benchmark's own threads, JMH's workers ({@code cpu.worker.norm},
 * {@code alloc.worker.norm}): what the measured call costs the calling thread, free of
 * descheduling (a loaded machine stretches the wall time of a call, not its CPU
 * time);</li>
 * <li>every thread of the JVM ({@code cpu.all.norm}, {@code alloc.all.norm}): the caller,
 * the run's sender, OkHttp's threads (with {@code @OperationsPerInvocation} an operation
 * is one value).</li>
 * </ul>
 * JIT compiler and GC threads are not counted, nor servers, which run in a child JVM
 * ({@link ChildJvm}). Setup and tear-down methods that run on the workers count too, so
 * it suits benchmarks without per-invocation setup.
 */
public final class ThreadUsageProfiler implements InternalProfiler {

    private static final String WORKER = "-jmh-worker-";

    private ThreadUsage start;

    @Override
    public String getDescription() {
        return "CPU time and allocation per operation of the benchmark threads and of all threads";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        start = ThreadUsage.take((id) -> true);
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        ThreadUsage.Delta all = ThreadUsage.take((id) -> true).since(start);
        Set<Long> workers = workerIds();
        ThreadUsage.Delta worker = ThreadUsage.take(workers::contains).since(start);
        long ops = result.getMetadata().getAllOps();
        if (ops == 0) {
            return List.of();
        }
        return List.of(norm("cpu.worker.norm", worker.cpuNanos(), ops, "ns/op"),
                norm("alloc.worker.norm", worker.allocatedBytes(), ops, "B/op"),
                norm("cpu.all.norm", all.cpuNanos(), ops, "ns/op"),
                norm("alloc.all.norm", all.allocatedBytes(), ops, "B/op"));
    }

    private static ScalarResult norm(String name, long total, long ops, String unit) {
        return new ScalarResult(name, (double) total / ops, unit, AggregationPolicy.AVG);
    }

    private static Set<Long> workerIds() {
        Set<Long> ids = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().contains(WORKER)) {
                ids.add(thread.getId());
            }
        }
        return ids;
    }

}
