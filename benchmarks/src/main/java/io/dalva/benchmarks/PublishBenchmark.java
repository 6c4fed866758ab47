package io.dalva.benchmarks;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.micrometer.PercentileWindow;
import io.dalva.run.DalvaRun;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.CountingMode;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * One publish of the same {@link MeterSet} by each registry to a {@link LoopbackSink} in
 * another JVM. The primary score is the wall time from the start of the publish until its
 * data has reached the sink (for Dalva: {@code step()} in manual step mode, then
 * {@code flush} of the registry's run, so the run's sender is included whether or not
 * {@code step()} waits for it). {@link PublishCost} adds, for exactly that window, the
 * CPU time and allocated bytes of every thread of this JVM, the time until the publishing
 * call returned, and the sink's body bytes and metric values. Before each publish,
 * outside the measured window, every meter records fresh activity and the clock moves one
 * step on; that recording is in none of the figures.
 *
 * <p>
 * {@code baseline} publishes nothing: it reads every meter as any registry must
 * (Micrometer's {@code SimpleMeterRegistry} in step mode, same meters, same recordings,
 * percentile snapshots included). Its CPU time and allocation are the share of the
 * others' figures that is Micrometer's, not the registry's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g", "-Xms1g" })
public class PublishBenchmark {

    private static final Duration STEP = Duration.ofHours(1);

    private static final Duration FLUSH_TIMEOUT = Duration.ofMinutes(2);

    @Param({ "100", "1000", "10000" })
    public int series;

    @Param({ "dalva", "dalva-window", "influx", "otlp", "baseline" })
    public String registry;

    private ChildJvm sink;

    private Path spool;

    private MockClock clock;

    private MeterSet meters;

    private Runnable publish;

    private Runnable deliver = () -> {
    };

    private MeterRegistry meterRegistry;

    private long publishes;

    private SinkStats received = new SinkStats(0, 0, 0, 0);

    /** Keeps the baseline's reads observable. */
    public double readSum;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        sink = ChildJvm.start(LoopbackSink.class, "512m");
        clock = new MockClock();
        switch (registry) {
            case "dalva", "dalva-window" -> {
                spool = Files.createTempDirectory("dalva-bench-publish");
                PercentileWindow percentiles = registry.equals("dalva") ? PercentileWindow.STEP
                        : PercentileWindow.WINDOW;
                DalvaMeterRegistry dalva = DalvaMeterRegistry
                    .builder(DalvaSettings.manualSteps(sink.url(), "bench", spool, null, percentiles))
                    .clock(clock)
                    .build();
                meters = new MeterSet(dalva, series);
                publish = dalva::step;
                deliver = () -> flush(dalva.run());
                meterRegistry = dalva;
            }
            case "influx" -> {
                PeerRegistries.Influx influx = PeerRegistries.influx(sink.url(), clock);
                meters = new MeterSet(influx, series);
                publish = influx::publishNow;
                meterRegistry = influx;
            }
            case "otlp" -> {
                PeerRegistries.Otlp otlp = PeerRegistries.otlp(sink.url(), clock);
                meters = new MeterSet(otlp, series);
                publish = otlp::publishNow;
                meterRegistry = otlp;
            }
            case "baseline" -> {
                SimpleMeterRegistry simple = new SimpleMeterRegistry(stepConfig(), clock);
                meters = new MeterSet(simple, series);
                publish = () -> readSum += meters.readAll();
                meterRegistry = simple;
            }
            default -> throw new IllegalArgumentException("unknown registry " + registry);
        }
        sink.call("POST", LoopbackSink.RESET_PATH);
    }

    @Setup(Level.Invocation)
    public void nextStep() {
        meters.record();
        clock.add(STEP);
    }

    @Benchmark
    public void publish(PublishCost cost) {
        cost.measure(publish, deliver);
        publishes++;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        takeSinkStats();
        meterRegistry.close();
        sink.close();
        if (spool != null) {
            Spool.delete(spool);
        }
        if (!registry.equals("baseline")) {
            received.check(registry, publishes);
        }
    }

    /** What the sink received since the previous call, which resets it. */
    SinkStats takeSinkStats() {
        SinkStats stats = SinkStats.parse(sink.call("GET", LoopbackSink.STATS_PATH));
        sink.call("POST", LoopbackSink.RESET_PATH);
        received = received.plus(stats);
        return stats;
    }

    private static void flush(DalvaRun run) {
        if (run == null || !run.flush(FLUSH_TIMEOUT)) {
            throw new IllegalStateException("the step did not reach the sink within " + FLUSH_TIMEOUT);
        }
    }

    /**
     * A {@link SimpleMeterRegistry} config that counts per step, as push registries do.
     */
    static SimpleConfig stepConfig() {
        return new SimpleConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public CountingMode mode() {
                return CountingMode.STEP;
            }

            @Override
            public Duration step() {
                return STEP;
            }
        };
    }

}
