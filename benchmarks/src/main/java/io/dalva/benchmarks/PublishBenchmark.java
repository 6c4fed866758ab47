package io.dalva.benchmarks;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.CountingMode;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Map;
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
 * another JVM: time until the request(s) were answered (for Dalva: {@code step()} in
 * manual step mode), and (with {@code -prof gc}) bytes allocated per publish by every
 * thread of this JVM. Before each publish, outside the measured time, every meter records
 * fresh activity and the clock moves one step on.
 *
 * <p>
 * {@code baseline} publishes nothing: it reads every meter as any registry must
 * (Micrometer's {@code SimpleMeterRegistry} in step mode, same meters, same recordings).
 * Its CPU time and allocation are the share of the others' figures that is Micrometer's,
 * not the registry's: recording into the percentile histograms and reading them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g", "-Xms1g" })
public class PublishBenchmark {

    private static final Duration STEP = Duration.ofHours(1);

    @Param({ "100", "1000", "10000" })
    public int series;

    @Param({ "dalva", "influx", "otlp", "baseline" })
    public String registry;

    private ChildJvm sink;

    private MockClock clock;

    private MeterSet meters;

    private Runnable publish;

    private MeterRegistry meterRegistry;

    private long publishes;

    /** Keeps the baseline's reads observable. */
    public double readSum;

    @Setup(Level.Trial)
    public void setUp() {
        sink = ChildJvm.start(LoopbackSink.class, "512m");
        clock = new MockClock();
        switch (registry) {
            case "dalva" -> {
                Map<String, String> config = Map.of("dalva.serverUrl", sink.url(), "dalva.project", "bench",
                        "dalva.stepMode", "MANUAL", "dalva.step", "1h");
                DalvaMeterRegistry dalva = DalvaMeterRegistry.builder(config::get).clock(clock).build();
                meters = new MeterSet(dalva, series);
                publish = dalva::step;
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
    public void publish() {
        publish.run();
        publishes++;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        SinkStats stats = SinkStats.parse(sink.call("GET", LoopbackSink.STATS_PATH));
        meterRegistry.close();
        sink.close();
        if (!registry.equals("baseline")) {
            stats.check(registry, publishes);
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
