package io.dalva.benchmarks;

import io.dalva.run.DalvaRun;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a queued value costs while the server is away: a run whose server does not answer
 * takes {@value #LOGS} {@code log()} calls of 10 values, all queued in its journal.
 * Reported (as {@code @AuxCounters}) per queued value: the journal's bytes
 * (memory-mapped, so page cache, not Java heap, and what the spool holds on disk) and the
 * Java heap retained (used heap after a full GC, after minus before), and the mean time
 * of one {@code log()} while queueing. The primary score (the whole invocation, GCs
 * included) means nothing. JMH prints these counters summed over the measured iterations;
 * {@link ResultsTable} gives their mean.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g", "-Xms1g" })
public class QueueFootprintBenchmark {

    static final int LOGS = 10_000;

    /** Per-value figures of the current iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PerValue {

        public double journalBytesPerValue;

        public double heapBytesPerValue;

        public double nanosPerLog;

        @Setup(Level.Iteration)
        public void reset() {
            journalBytesPerValue = 0;
            heapBytesPerValue = 0;
            nanosPerLog = 0;
        }

    }

    @Benchmark
    public void queueWhileServerDown(PerValue perValue) throws IOException {
        Map<String, Double> values = RunLogBenchmark.tenValues();
        Path spool = Files.createTempDirectory("dalva-bench-footprint");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try {
            DalvaRun run = DalvaRun.builder()
                .project("bench")
                .serverUrl("http://127.0.0.1:" + closedPort())
                .spoolDirectory(spool)
                .shutdownTimeout(Duration.ofMillis(100))
                .start();
            long heapBefore = usedHeapAfterGc(memory);
            long start = System.nanoTime();
            for (int step = 0; step < LOGS; step++) {
                run.log(values, step);
            }
            perValue.nanosPerLog = (double) (System.nanoTime() - start) / LOGS;
            long heapAfter = usedHeapAfterGc(memory);
            long queued = (long) LOGS * values.size();
            perValue.heapBytesPerValue = (double) (heapAfter - heapBefore) / queued;
            // the journal's files settle once the run is closed (its owner thread seals
            // and renames segments while it runs); the undelivered events stay
            run.close();
            perValue.journalBytesPerValue = (double) Spool.journalBytes(spool) / queued;
        }
        finally {
            Spool.delete(spool);
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
