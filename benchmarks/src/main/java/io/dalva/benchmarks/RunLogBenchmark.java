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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * {@code DalvaRun.log} of 10 values.
 * <ul>
 * <li>{@link #log}: the time the caller spends in one {@code log()}, every call timed
 * (with {@code -prof io.dalva.benchmarks.CallLatencyProfiler}: median, p99, p99.9, p99.99
 * and the slowest; JMH's own score is the mean, reading the clock included), with the
 * run's sender blocked: a {@link LoopbackSink} in a child JVM holds every data request
 * unanswered, as a slow or stuck server would, so every value queues in the run's
 * journal. With {@code -prof io.dalva.benchmarks.ThreadUsageProfiler}, the caller's CPU
 * time and allocation per call ({@code cpu.worker.norm}, {@code alloc.worker.norm}).
 * Dalva's Python SDK takes 0.26 ms per such call, because it fsyncs its write-ahead log
 * in every call.</li>
 * <li>{@link #deliver}: values per second from {@code log()} until a
 * {@code DalvaTestServer} in a child JVM stored them ({@code flush}); with the profiler,
 * the client's CPU time and allocation per value over all its threads
 * ({@code cpu.all.norm}, {@code alloc.all.norm}).</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g", "-Xms1g" })
public class RunLogBenchmark {

    static final int VALUES_PER_LOG = 10;

    static final int LOGS_PER_DELIVERY = 1_000;

    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Room for everything a trial queues (a few hundred MB at a few µs per call), so no
     * value is dropped for lack of space, which would make {@code log()} cheaper.
     */
    private static final long MAX_SPOOL_BYTES = 8L << 30;

    /** A run whose sender is blocked: the sink holds its requests. */
    @State(Scope.Benchmark)
    public static class HeldSender {

        private ChildJvm sink;

        private Path spool;

        DalvaRun run;

        final Map<String, Double> values = tenValues();

        int step;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            sink = ChildJvm.start(LoopbackSink.class, "256m");
            spool = Files.createTempDirectory("dalva-bench-log");
            run = DalvaRun.builder()
                .project("bench")
                .serverUrl(sink.url())
                .spoolDirectory(spool)
                .maxSpoolSize(MAX_SPOOL_BYTES)
                .shutdownTimeout(Duration.ofSeconds(1))
                .start();
            sink.call("POST", LoopbackSink.HOLD_PATH);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            sink.call("POST", LoopbackSink.RELEASE_PATH);
            run.close();
            sink.close();
            Spool.delete(spool);
        }

    }

    /** A run delivering into a {@code DalvaTestServer}. */
    @State(Scope.Benchmark)
    public static class TestServerRun {

        private ChildJvm server;

        private Path spool;

        DalvaRun run;

        final Map<String, Double> values = tenValues();

        int step;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            server = ChildJvm.start(TestServerMain.class, "1g");
            spool = Files.createTempDirectory("dalva-bench-deliver");
            run = DalvaRun.builder().project("bench").serverUrl(server.url()).spoolDirectory(spool).start();
        }

        void flush() {
            if (!run.flush(FLUSH_TIMEOUT)) {
                throw new IllegalStateException("not delivered within " + FLUSH_TIMEOUT);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            flush();
            run.close();
            server.close();
            Spool.delete(spool);
        }

    }

    /**
     * Every call of {@link #log} in the measurement iterations, timed: JMH's
     * {@code Mode.SampleTime} would over-weigh the rare slow ones (see
     * {@link LatencyHistogram}).
     */
    @State(Scope.Thread)
    public static class CallTimes {

        final LatencyHistogram histogram = new LatencyHistogram();

        private boolean measuring;

        @Setup(Level.Iteration)
        public void startIteration(IterationParams iteration) {
            if (iteration.getType() == IterationType.MEASUREMENT && !measuring) {
                histogram.clear(); // the warm-up's calls do not count
                measuring = true;
            }
        }

        @TearDown(Level.Trial)
        public void report() {
            CallLatencyProfiler.report(histogram);
        }

    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public void log(HeldSender state, CallTimes times) {
        long start = System.nanoTime();
        state.run.log(state.values, state.step++);
        times.histogram.record(System.nanoTime() - start);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @OperationsPerInvocation(LOGS_PER_DELIVERY * VALUES_PER_LOG)
    public void deliver(TestServerRun state) {
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
