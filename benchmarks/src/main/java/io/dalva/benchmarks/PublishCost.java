package io.dalva.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the publishes of one iteration of {@link PublishBenchmark} cost, as totals that
 * JMH reports next to the wall time ({@code @AuxCounters}, summed over the iterations;
 * {@link ResultsTable} divides them by {@link #publishes}): CPU time and allocated bytes
 * of every thread between the start of a publish and the moment its data has reached the
 * sink; CPU time and allocated bytes of the other threads between the end of one publish
 * and the start of the next (work a publish left running once its data had arrived, such
 * as a sender recording the delivery; the untimed recording runs on the publishing thread
 * and is not in it); the time until the publishing call returned; and what the sink
 * received (body bytes, metric values, requests).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class PublishCost {

    public long publishes;

    public long cpuNanos;

    public long allocatedBytes;

    public long afterCpuNanos;

    public long afterAllocatedBytes;

    public long callerNanos;

    public long deliveredNanos;

    public long sinkBytes;

    public long sinkValues;

    public long sinkRequests;

    /** The threads at the end of the previous publish of this iteration. */
    private ThreadUsage previousEnd;

    @Setup(Level.Iteration)
    public void startIteration() {
        previousEnd = null;
    }

    /** Measures one publish: {@code publish} until it returns, then {@code deliver}. */
    void measure(Runnable publish, Runnable deliver) {
        ThreadUsage start = ThreadUsage.startOnCurrentThread();
        long started = System.nanoTime();
        publish.run();
        long returned = System.nanoTime();
        deliver.run();
        long delivered = System.nanoTime();
        ThreadUsage end = ThreadUsage.endOnCurrentThread();
        ThreadUsage.Delta used = end.since(start);
        if (previousEnd != null) {
            long current = Thread.currentThread().getId();
            ThreadUsage.Delta after = start.since(previousEnd, (id) -> id != current);
            afterCpuNanos += after.cpuNanos();
            afterAllocatedBytes += after.allocatedBytes();
        }
        previousEnd = end;
        publishes++;
        callerNanos += returned - started;
        deliveredNanos += delivered - started;
        cpuNanos += used.cpuNanos();
        allocatedBytes += used.allocatedBytes();
    }

    /** Adds what the sink received during the iteration, and resets it. */
    @TearDown(Level.Iteration)
    public void readSink(PublishBenchmark benchmark) {
        SinkStats stats = benchmark.takeSinkStats();
        sinkBytes = stats.bodyBytes();
        sinkValues = stats.values();
        sinkRequests = stats.requests();
    }

}
