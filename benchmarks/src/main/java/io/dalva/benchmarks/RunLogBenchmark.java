package io.dalva.benchmarks;

import io.dalva.run.DalvaRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code DalvaRun.log} into a {@code DalvaTestServer} running in a child JVM.
 * <ul>
 * <li>{@link #log}: the time the caller spends in one {@code log()} of 10 values (Dalva's
 * Python SDK: 0.26 ms, because it fsyncs its write-ahead log in every call), asynchronous
 * (default) and synchronous. Every {@value #FLUSH_EVERY} calls, outside the measured
 * time, the benchmark waits until the server has everything, so the queue stays as short
 * as in an application that logs no faster than the server stores.</li>
 * <li>{@link #deliver}: values per second from {@code log()} until the server stored them
 * ({@code flush}), with the asynchronous sender; with {@code -prof
 * io.dalva.benchmarks.ThreadCpuProfiler}, the client's CPU time per value.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g", "-Xms1g" })
public class RunLogBenchmark {

    static final int FLUSH_EVERY = 100;

    static final int VALUES_PER_LOG = 10;

    static final int LOGS_PER_DELIVERY = 1_000;

    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    /** A run on a test server in a child JVM, logging 10 metrics a step. */
    abstract static class RunOnTestServer {

        ChildJvm server;

        Path spool;

        DalvaRun run;

        Map<String, Double> values;

        int step;

        void open(boolean synchronous) throws IOException {
            server = ChildJvm.start(TestServerMain.class, "1g");
            spool = Files.createTempDirectory("dalva-bench-spool");
            run = DalvaRun.builder()
                .project("bench")
                .serverUrl(server.url())
                .spoolDirectory(spool)
                .synchronous(synchronous)
                .start();
            values = tenValues();
        }

        void flush() {
            if (!run.flush(FLUSH_TIMEOUT)) {
                throw new IllegalStateException("not delivered within " + FLUSH_TIMEOUT);
            }
        }

        void close() throws IOException {
            flush();
            run.close();
            server.close();
            Spool.delete(spool);
        }

    }

    @State(Scope.Benchmark)
    public static class LogState extends RunOnTestServer {

        @Param({ "async", "sync" })
        public String delivery;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(delivery.equals("sync"));
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            close();
        }

    }

    /**
     * The asynchronous run only (a synchronous one waits for the server in every call
     * anyway).
     */
    @State(Scope.Benchmark)
    public static class AsyncState extends RunOnTestServer {

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(false);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            close();
        }

    }

    /**
     * Keeps the queue short between measured calls: waits for delivery every 100 calls.
     */
    @State(Scope.Thread)
    public static class Pacing {

        private int calls;

        @Setup(Level.Invocation)
        public void drainSometimes(LogState state) {
            if (++calls % FLUSH_EVERY == 0) {
                state.flush();
            }
        }

    }

    @Benchmark
    public void log(LogState state, Pacing pacing) {
        state.run.log(state.values, state.step++);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(LOGS_PER_DELIVERY * VALUES_PER_LOG)
    public void deliver(AsyncState state) {
        for (int i = 0; i < LOGS_PER_DELIVERY; i++) {
            state.run.log(state.values, state.step++);
        }
        state.flush();
    }

    static Map<String, Double> tenValues() {
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Double> values = new LinkedHashMap<>();
        for (String name : new String[] { "loss", "accuracy", "precision", "recall", "f1" }) {
            values.put("train/" + name, random.nextDouble());
            values.put("val/" + name, random.nextDouble());
        }
        return values;
    }

}
