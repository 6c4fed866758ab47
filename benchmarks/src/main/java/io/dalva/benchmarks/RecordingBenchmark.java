package io.dalva.benchmarks;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The application's side: one counter increment and one timer recording, on
 * {@link DalvaMeterRegistry} and on Micrometer's {@link SimpleMeterRegistry} in step mode
 * (the cost every step registry pays). The Dalva registry is in manual step mode, so
 * nothing is published while the recording is measured. Compare their CPU time per call
 * ({@code -prof io.dalva.benchmarks.ThreadUsageProfiler}, {@code cpu.worker.norm}): the
 * wall time of a call of a few nanoseconds mostly measures how often the thread was
 * descheduled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g", "-Xms1g" })
public class RecordingBenchmark {

    @Param({ "dalva", "simple" })
    public String registry;

    private ChildJvm sink;

    private Path spool;

    private MeterRegistry meterRegistry;

    private Counter counter;

    private Timer timer;

    private long nanos;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        switch (registry) {
            case "dalva" -> {
                sink = ChildJvm.start(LoopbackSink.class, "256m");
                spool = Files.createTempDirectory("dalva-bench-recording");
                meterRegistry = DalvaMeterRegistry.builder(DalvaSettings.manualSteps(sink.url(), spool)).build();
            }
            case "simple" -> {
                meterRegistry = new SimpleMeterRegistry(PublishBenchmark.stepConfig(), Clock.SYSTEM);
            }
            default -> throw new IllegalArgumentException("unknown registry " + registry);
        }
        counter = meterRegistry.counter("bench.requests", "uri", "/items");
        timer = meterRegistry.timer("bench.latency", "uri", "/items");
    }

    @Benchmark
    public void counterIncrement() {
        counter.increment();
    }

    @Benchmark
    public void timerRecord() {
        timer.record(nanos++ & 0xFFFF, TimeUnit.NANOSECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        meterRegistry.close();
        if (sink != null) {
            sink.close();
            Spool.delete(spool);
        }
    }

}
