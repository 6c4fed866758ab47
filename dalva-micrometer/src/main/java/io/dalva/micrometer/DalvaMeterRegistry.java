package io.dalva.micrometer;

import io.dalva.client.DalvaClient;
import io.dalva.run.DalvaRun;
import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
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

    private final WarnThenDebug publishFailureLogger = new WarnThenDebug(DalvaMeterRegistry.class);

    private final WarnThenDebug openFailureLogger = new WarnThenDebug(DalvaMeterRegistry.class);

    private final DalvaConfig config;

    private final DalvaClient client;

    private final boolean ownsRun;

    /** The run given to the builder, until its highest step is known. */
    private DalvaRun providedRun;

    private final MeterFields fields;

    /**
     * Taking, numbering and sending a step happen under this lock, one step at a time.
     */
    private final ReentrantLock stepLock = new ReentrantLock();

    private final AtomicBoolean closing = new AtomicBoolean();

    private final Map<Meter.Id, String> folders = new ConcurrentHashMap<>();

    private final Map<String, Meter.Id> folderOwners = new ConcurrentHashMap<>();

    private final Set<Meter.Id> warnedNonFinite = ConcurrentHashMap.newKeySet();

    private final AtomicLong skippedValues = new AtomicLong();

    private volatile DalvaRun run;

    // guarded by stepLock
    private int nextStep;

    private boolean finalStepTaken;

    private boolean stepsExhausted;

    private long publishedSteps;

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
        this.client = client;
        this.ownsRun = run == null;
        this.providedRun = run;
        this.fields = new MeterFields(config.baseTimeUnit());
        config().namingConvention(NamingConvention.dot);
        MeterSelection selection = new MeterSelection(config.includeMeters(), config.excludeMeters());
        if (!selection.selectsEverything()) {
            config().meterFilter(MeterFilter.denyUnless(id -> selection.accepts(id.getName())));
        }
        config().onMeterRemoved(this::forgetMeter);
        if (config.enabled()) {
            stepLock.lock();
            try {
                openRun();
            }
            finally {
                stepLock.unlock();
            }
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
        return run;
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
        return "publishing metrics for " + getClass().getSimpleName() + " to " + describe(run) + " every "
                + TimeUtils.format(config.step());
    }

    /**
     * Publishes the next step. Called on the publishing thread in {@link StepMode#TIMED}
     * mode; tests may call it directly.
     */
    @Override
    protected void publish() {
        takeStep(null, closing.get());
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
        logger.warn("Marking " + describe(run) + " failed", cause);
        end(true);
    }

    private void end(boolean failed) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        // stops the schedule and publishes the final step through publish(), unless a
        // scheduled publish is in progress: then it only waits for that one
        super.close();
        if (config.enabled()) {
            // the final step, if the scheduled publish above made PushMeterRegistry skip
            // it
            takeStep(null, true);
            finishRun(failed);
        }
    }

    private void takeStep(Integer requested, boolean finalStep) {
        if (!config.enabled()) {
            return;
        }
        stepLock.lock();
        try {
            if (finalStepTaken) {
                logger.debug("registry closed: no more steps");
                return;
            }
            if (finalStep) {
                finalStepTaken = true;
            }
            if (stepsExhausted) {
                return;
            }
            DalvaRun target = openRun();
            if (target == null) {
                // Nothing is taken: counts and timings stay in the interval for the next
                // step.
                if (finalStep) {
                    logger.warn("final step not published: no Dalva run could be opened");
                }
                return;
            }
            int step = requested == null ? nextStep : requested;
            if (requested != null && (requested < nextStep || requested < 0)) {
                logger.warn("step(" + requested + ") refused: steps must grow and the next free step of "
                        + describe(target) + " is " + nextStep + "; the activity stays for the next step");
                return;
            }
            Snapshot snapshot = snapshot();
            if (finalStep && config.stepMode() == StepMode.MANUAL && publishedSteps > 0 && !snapshot.activity) {
                logger.debug("no activity since the last manual step: no final step");
                return;
            }
            if (snapshot.values.isEmpty() && requested == null) {
                logger.debug("nothing to publish: step " + step + " stays free");
                return;
            }
            // The number is used up before sending: a failed request may still have been
            // stored, and Dalva refuses a second write of a path at the same step.
            if (step == Integer.MAX_VALUE) {
                stepsExhausted = true;
                logger.warn("step " + step + " is Dalva's last possible step: no more steps will be published");
            }
            else {
                nextStep = step + 1;
            }
            publishedSteps++;
            send(target, snapshot, step);
        }
        catch (Throwable e) {
            publishFailureLogger.log("failed to publish a step to " + describe(run), e);
        }
        finally {
            stepLock.unlock();
        }
    }

    private void send(DalvaRun target, Snapshot snapshot, int step) {
        if (publishedSteps == 1) {
            logger.info("step " + step + " carries " + snapshot.values.size() + " paths from " + snapshot.meters
                    + " meters to " + describe(target));
        }
        else if (logger.isDebugEnabled()) {
            logger.debug("step " + step + " carries " + snapshot.values.size() + " paths from " + snapshot.meters
                    + " meters");
        }
        int batchSize = config.batchSize();
        if (snapshot.values.size() <= batchSize) {
            target.log(snapshot.values, step);
            return;
        }
        Map<String, Double> chunk = new LinkedHashMap<>();
        for (Map.Entry<String, Double> value : snapshot.values.entrySet()) {
            chunk.put(value.getKey(), value.getValue());
            if (chunk.size() == batchSize) {
                target.log(chunk, step);
                chunk = new LinkedHashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            target.log(chunk, step);
        }
    }

    /** Takes every meter's step. Caller holds the step lock. */
    private Snapshot snapshot() {
        Snapshot snapshot = new Snapshot();
        for (Meter meter : getMeters()) {
            String folder = folder(meter);
            if (folder == null) {
                continue;
            }
            snapshot.meters++;
            Meter.Id id = meter.getId();
            boolean active = fields.write(meter, (field, value) -> {
                if (Double.isFinite(value)) {
                    snapshot.values.put(MetricPaths.path(folder, field), value);
                }
                else {
                    skippedValues.incrementAndGet();
                    if (warnedNonFinite.add(id)) {
                        logger.warn("skipping " + value + " for " + MetricPaths.path(folder, field)
                                + ": Dalva stores finite values only (logged once per meter)");
                    }
                }
            });
            snapshot.activity |= active;
        }
        return snapshot;
    }

    private String folder(Meter meter) {
        Meter.Id id = meter.getId();
        String folder = folders.computeIfAbsent(id, key -> {
            String candidate = MetricPaths.meterFolder(getConventionName(key), getConventionTags(key));
            Meter.Id owner = folderOwners.putIfAbsent(candidate, key);
            if (owner != null && !owner.equals(key)) {
                logger.warn("meter " + key + " is not published: after the naming convention its paths (" + candidate
                        + "/...) are those of " + owner);
                return "";
            }
            return candidate;
        });
        return folder.isEmpty() ? null : folder;
    }

    private void forgetMeter(Meter meter) {
        String folder = folders.remove(meter.getId());
        if (folder != null && !folder.isEmpty()) {
            folderOwners.remove(folder, meter.getId());
        }
        warnedNonFinite.remove(meter.getId());
    }

    /** Caller holds the step lock. */
    private DalvaRun openRun() {
        if (run != null) {
            return run;
        }
        if (!ownsRun) {
            try {
                adoptRun(providedRun);
                providedRun = null;
                return run;
            }
            catch (RuntimeException e) {
                openFailureLogger.log("could not read the highest step of " + describe(providedRun)
                        + "; trying again at the next step", e);
                return null;
            }
        }
        try {
            DalvaRun.Builder builder = DalvaRun.builder()
                .project(config.project())
                .name(config.runName())
                .config(config.runConfig())
                .resumeFrom(config.resumeFrom())
                // this thread is the registry's publisher, not the application: it may
                // wait for the server
                .synchronous(true)
                .shutdownTimeout(config.shutdownTimeout());
            if (config.spoolDirectory() != null) {
                builder.spoolDirectory(Path.of(config.spoolDirectory()));
            }
            if (client != null) {
                builder.client(client);
            }
            else {
                builder.serverUrl(config.serverUrl())
                    .connectTimeout(config.connectTimeout())
                    .readTimeout(config.readTimeout());
            }
            DalvaRun opened = builder.start();
            if (config.resumeFrom() != null) {
                adoptRun(opened);
            }
            else {
                run = opened;
                nextStep = 0;
            }
            logger.info("writing metrics to " + describe(opened) + " from step " + nextStep + " ("
                    + config.stepMode().name().toLowerCase() + " steps)");
            return opened;
        }
        catch (RuntimeException e) {
            openFailureLogger.log("could not open a Dalva run in project " + config.project() + " at "
                    + config.serverUrl() + "; trying again at the next step", e);
            return null;
        }
    }

    /** Caller holds the step lock. */
    private void adoptRun(DalvaRun existing) {
        OptionalInt last = existing.lastStep();
        nextStep = last.isPresent() ? last.getAsInt() + 1 : 0;
        if (last.isPresent() && last.getAsInt() == Integer.MAX_VALUE) {
            stepsExhausted = true;
            logger
                .warn(describe(existing) + " already holds step " + Integer.MAX_VALUE + ": nothing will be published");
        }
        run = existing;
    }

    private void finishRun(boolean failed) {
        DalvaRun target = run;
        if (target == null || !ownsRun) {
            return;
        }
        try {
            if (failed) {
                target.fail();
            }
            target.close();
        }
        catch (Throwable e) {
            publishFailureLogger.log("failed to " + (failed ? "fail " : "finish ") + describe(target), e);
        }
    }

    private static String describe(DalvaRun run) {
        return run == null ? "a Dalva run (not open yet)" : "Dalva run " + run.runId() + " (id " + run.id() + ")";
    }

    /**
     * @return how many NaN or infinite values were skipped since the registry started
     */
    long skippedValueCount() {
        return skippedValues.get();
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
        return new DalvaTimer(id, clock, distributionStatisticConfig, pauseDetector, getBaseTimeUnit());
    }

    @Override
    protected DistributionSummary newDistributionSummary(Meter.Id id,
            DistributionStatisticConfig distributionStatisticConfig, double scale) {
        return new DalvaDistributionSummary(id, clock, distributionStatisticConfig, scale);
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

    /** The values of one step and what was seen while taking it. */
    private static final class Snapshot {

        final Map<String, Double> values = new LinkedHashMap<>();

        int meters;

        boolean activity;

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
