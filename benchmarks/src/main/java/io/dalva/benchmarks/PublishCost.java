package io.dalva.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the publishes of one iteration of {@link PublishBenchmark} cost, as totals that
 * JMH reports next to the wall time ({@code @AuxCounters}, summed over the iterations;
 * {@link ResultsTable} divides them by {@link #publishes}): CPU time and allocated bytes
 * of every thread between the start of a publish and the moment its data has reached the
 * sink, the time until the publishing call returned, and what the sink received (body
 * bytes, metric values, requests).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class PublishCost {

    public long publishes;

    public long cpuNanos;

    public long allocatedBytes;

    public long callerNanos;

    public long sinkBytes;

    public long sinkValues;

    public long sinkRequests;

    /** Measures one publish: {@code publish} until it returns, then {@code deliver}. */
    void measure(Runnable publish, Runnable deliver) {
        ThreadUsage start = ThreadUsage.startOnCurrentThread();
        long started = System.nanoTime();
        publish.run();
        long returned = System.nanoTime();
        deliver.run();
        ThreadUsage.Delta used = ThreadUsage.endOnCurrentThread().since(start);
        publishes++;
        callerNanos += returned - started;
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
