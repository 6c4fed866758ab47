package io.dalva.micrometer;

import io.dalva.client.DalvaClient;
import io.dalva.run.DalvaRun;
import io.dalva.internal.logging.Log;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.internal.DefaultGauge;
import io.micrometer.core.instrument.internal.DefaultLongTaskTimer;
import io.micrometer.core.instrument.internal.DefaultMeter;
import io.micrometer.core.instrument.push.PushMeterRegistry;
import io.micrometer.core.instrument.util.NamedThreadFactory;
import io.micrometer.core.instrument.util.TimeUtils;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * A Micrometer registry that writes its meters to a Dalva run: each publish is one Dalva
 * step, 0, 1, 2, ... (after the run's highest existing step when resuming), carrying
 * every meter's fields as {@code name/k=v,k=v/field} paths (see the README's mapping
 * table).
 *
 * <p>
 * Steps cover exactly the activity between two publishes: counters, timers and summaries
 * are cumulative inside and the registry takes their differences under one lock, so a
 * recording is never counted in two steps or in none, whatever the clock or the
 * publishing thread do. In {@link StepMode#TIMED} mode a step is published every
 * {@link DalvaConfig#step()}; in {@link StepMode#MANUAL} mode when the application calls
 * {@link #step()} or {@link #step(int)}, for example once per training epoch.
 * {@link #close()} publishes the final partial step exactly once and then finishes the
 * run.
 *
 * <p>
 * Publishing never throws into the application: failures are logged (a warning, then at
 * debug level). Values are finite doubles; NaN and infinities are skipped, counted and
 * logged once per meter.
 */
public class DalvaMeterRegistry extends PushMeterRegistry {

    private static final ThreadFactory DEFAULT_THREAD_FACTORY = new NamedThreadFactory("dalva-metrics-publisher");

    private static final Log logger = Log.of(DalvaMeterRegistry.class);

    private final DalvaConfig config;

    private final RegistryRun run;

    private final SkippedValues skipped = new SkippedValues();

    private final StepPublisher publisher;

    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * Creates a registry that opens (or resumes) the run described by the configuration
     * and, in {@link StepMode#TIMED} mode, starts publishing.
     */
    public DalvaMeterRegistry(DalvaConfig config, Clock clock) {
        this(config, clock, DEFAULT_THREAD_FACTORY, null, null);
    }

    private DalvaMeterRegistry(DalvaConfig config, Clock clock, ThreadFactory threadFactory, DalvaClient client,
            DalvaRun run) {
        super(config, clock);
        this.config = config;
        this.run = new RegistryRun(config, client, run);
        config().namingConvention(NamingConvention.dot);
        MeterSelection selection = new MeterSelection(config.includeMeters(), config.excludeMeters());
        if (!selection.selectsEverything()) {
            config().meterFilter(MeterFilter.denyUnless(id -> selection.accepts(id.getName())));
        }
        MeterFolders folders = new MeterFolders(
                id -> MetricPaths.meterFolder(getConventionName(id), getConventionTags(id)));
        this.publisher = new StepPublisher(config, this.run, this::getMeters, folders, skipped);
        config().onMeterRemoved(meter -> {
            folders.forget(meter.getId());
            skipped.forget(meter.getId());
        });
        if (config.enabled()) {
            publisher.openRun();
            start(threadFactory);
        }
    }

    /**
     * @return a builder for a registry with this configuration
     */
    public static Builder builder(DalvaConfig config) {
        return new Builder(config);
    }

    /**
     * @return the run this registry writes to, or {@code null} while it could not be
     * opened (the registry tries again at each step)
     */
    public DalvaRun run() {
        return run.current();
    }

    /**
     * Publishes a step now, numbered after the previous one. Meant for
     * {@link StepMode#MANUAL} mode; in {@link StepMode#TIMED} mode it adds a step between
     * the scheduled ones.
     */
    public void step() {
        takeStep(null, false);
    }

    /**
     * Publishes a step now with this number (for example the epoch), covering the
     * activity since the previous step. A number at or below the previous step's, or
     * negative, is refused with a warning: nothing is published and the activity stays
     * for the next step.
     */
    public void step(int step) {
        takeStep(step, false);
    }

    /**
     * In {@link StepMode#TIMED} mode, starts publishing a step every
     * {@link DalvaConfig#step()} (Micrometer's schedule: aligned to the step, with a
     * random offset); in {@link StepMode#MANUAL} mode only stops a running schedule.
     */
    @Override
    public void start(ThreadFactory threadFactory) {
        if (config.stepMode() == StepMode.TIMED) {
            super.start(threadFactory);
        }
        else {
            stop();
        }
    }

    @Override
    protected String startMessage() {
        return "Publishing metrics for " + getClass().getSimpleName() + " to " + RegistryRun.describe(run.current())
                + " every " + TimeUtils.format(config.step()) + ".";
    }

    /**
     * Publishes the next step. Called on the publishing thread in {@link StepMode#TIMED}
     * mode; tests may call it directly.
     */
    @Override
    protected void publish() {
        takeStep(null, false);
    }

    /**
     * Stops publishing, publishes the final partial step exactly once (waiting for a step
     * in progress, never racing it), then finishes the run if this registry opened it. In
     * {@link StepMode#MANUAL} mode the final step is skipped when nothing was counted or
     * timed since the previous step. Calling it again does nothing.
     */
    @Override
    public void close() {
        end(false);
    }

    /**
     * Like {@link #close()}, but marks the run failed (for example when the application
     * fails), if this registry opened it.
     * @param cause what failed, logged with the run
     */
    public void fail(Throwable cause) {
        logger.warn("Marking {} failed.", RegistryRun.describe(run.current()), cause);
        end(true);
    }

    private void end(boolean failed) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        stop();
        // waits for a scheduled step in progress (never races it), then publishes the
        // rest; PushMeterRegistry's own close would skip it while that step runs
        takeStep(null, true);
        // marks the registry closed; its publish() finds the final step taken
        super.close();
        if (config.enabled()) {
            run.finish(failed);
        }
    }

    private void takeStep(Integer requested, boolean finalStep) {
        if (config.enabled()) {
            publisher.takeStep(requested, finalStep);
        }
    }

    /**
     * @return whether the next step number is known (a resumed or given run reads its
     * highest step in the background)
     */
    boolean stepsNumbered() {
        return publisher.numbered();
    }

    /**
     * @return how many NaN or infinite values were skipped since the registry started
     */
    long skippedValueCount() {
        return skipped.count();
    }

    @Override
    protected TimeUnit getBaseTimeUnit() {
        return config.baseTimeUnit();
    }

    @Override
    protected DistributionStatisticConfig defaultHistogramConfig() {
        return DistributionStatisticConfig.builder()
            .expiry(config.step())
            .build()
            .merge(DistributionStatisticConfig.DEFAULT);
    }

    @Override
    protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
        return new DefaultGauge<>(id, obj, valueFunction);
    }

    @Override
    protected Counter newCounter(Meter.Id id) {
        return new DalvaCounter(id);
    }

    @Override
    protected Timer newTimer(Meter.Id id, DistributionStatisticConfig distributionStatisticConfig,
            PauseDetector pauseDetector) {
        return new DalvaTimer(id, clock, distributionStatisticConfig, pauseDetector, getBaseTimeUnit(),
                config.percentiles());
    }

    @Override
    protected DistributionSummary newDistributionSummary(Meter.Id id,
            DistributionStatisticConfig distributionStatisticConfig, double scale) {
        return new DalvaDistributionSummary(id, clock, distributionStatisticConfig, scale, config.percentiles());
    }

    @Override
    protected LongTaskTimer newLongTaskTimer(Meter.Id id, DistributionStatisticConfig distributionStatisticConfig) {
        return new DefaultLongTaskTimer(id, clock, getBaseTimeUnit(), distributionStatisticConfig, false);
    }

    @Override
    protected <T> FunctionTimer newFunctionTimer(Meter.Id id, T obj, ToLongFunction<T> countFunction,
            ToDoubleFunction<T> totalTimeFunction, TimeUnit totalTimeFunctionUnit) {
        return new DalvaFunctionTimer<>(id, obj, countFunction, totalTimeFunction, totalTimeFunctionUnit,
                getBaseTimeUnit());
    }

    @Override
    protected <T> FunctionCounter newFunctionCounter(Meter.Id id, T obj, ToDoubleFunction<T> countFunction) {
        return new DalvaFunctionCounter<>(id, obj, countFunction);
    }

    @Override
    protected Meter newMeter(Meter.Id id, Meter.Type type, Iterable<Measurement> measurements) {
        return new DefaultMeter(id, type, measurements);
    }

    /**
     * Builds a {@link DalvaMeterRegistry}.
     */
    public static final class Builder {

        private final DalvaConfig config;

        private Clock clock = Clock.SYSTEM;

        private ThreadFactory threadFactory = DEFAULT_THREAD_FACTORY;

        private DalvaClient client;

        private DalvaRun run;

        private Builder(DalvaConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The clock of timers and long task timers. Default: {@link Clock#SYSTEM}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Creates the publishing thread. Default: daemon threads named
         * {@code dalva-metrics-publisher}.
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * A client for the run the registry opens, left open on close. Default: a client
         * of the registry's own from {@link DalvaConfig#serverUrl()} and its timeouts.
         */
        public Builder client(DalvaClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * An open run to write to instead of opening one (the project, run name, run
         * config and resume settings are then unused). Steps continue after the run's
         * highest step; the registry leaves the run open on close: finishing it is the
         * caller's job.
         */
        public Builder run(DalvaRun run) {
            this.run = Objects.requireNonNull(run, "run");
            return this;
        }

        public DalvaMeterRegistry build() {
            return new DalvaMeterRegistry(config, clock, threadFactory, client, run);
        }

    }

}
