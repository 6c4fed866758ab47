package io.dalva.micrometer;

import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import io.dalva.run.DalvaRun;
import io.micrometer.core.instrument.Meter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Takes, numbers and sends the registry's steps, one at a time under one lock, so that a
 * recording is never counted in two steps or in none whatever the clock or the publishing
 * thread do. Never throws: failures are logged (a warning, then at debug level).
 */
final class StepPublisher {

    private static final Log logger = Log.of(StepPublisher.class);

    private final WarnThenDebug failures = new WarnThenDebug(StepPublisher.class);

    private final ReentrantLock lock = new ReentrantLock();

    private final DalvaConfig config;

    private final RegistryRun run;

    private final Supplier<Iterable<Meter>> meters;

    private final MeterFolders folders;

    private final MeterFields fields;

    private final SkippedValues skipped;

    // guarded by lock
    private final StepNumbers numbers = new StepNumbers();

    private boolean finalStepTaken;

    private long publishedSteps;

    StepPublisher(DalvaConfig config, RegistryRun run, Supplier<Iterable<Meter>> meters, MeterFolders folders,
            SkippedValues skipped) {
        this.config = config;
        this.run = run;
        this.meters = meters;
        this.folders = folders;
        this.fields = new MeterFields(config.baseTimeUnit());
        this.skipped = skipped;
    }

    /** Opens the run now if it can (the first step tries again otherwise). */
    void openRun() {
        lock.lock();
        try {
            run.open(numbers);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Publishes a step.
     * @param requested the step's number, or {@code null} for the next one
     * @param finalStep whether this is the registry's last step (no step is taken after
     * it)
     */
    void takeStep(Integer requested, boolean finalStep) {
        lock.lock();
        try {
            if (finalStepTaken) {
                logger.debug("Registry closed: no more steps.");
                return;
            }
            finalStepTaken = finalStep;
            if (numbers.exhausted()) {
                return;
            }
            DalvaRun target = run.open(numbers);
            if (target == null) {
                // nothing is taken: the activity stays for the next step
                if (finalStep) {
                    logger.warn("Final step not published: no Dalva run could be opened.");
                }
                return;
            }
            if (requested != null && !numbers.allows(requested)) {
                logger.warn(
                        "Step({}) refused: steps must grow and the next free step of {} is {}; "
                                + "the activity stays for the next step.",
                        requested, RegistryRun.describe(target), numbers.next());
                return;
            }
            int step = requested == null ? numbers.next() : requested;
            StepSnapshot snapshot = StepSnapshot.take(meters.get(), folders, fields, skipped);
            if (finalStep && config.stepMode() == StepMode.MANUAL && publishedSteps > 0 && !snapshot.activity()) {
                logger.debug("No activity since the last manual step: no final step.");
                return;
            }
            if (snapshot.values().isEmpty() && requested == null) {
                logger.debug("Nothing to publish: step {} stays free.", step);
                return;
            }
            numbers.use(step);
            publishedSteps++;
            send(target, snapshot, step);
            failures.reset();
        }
        catch (Throwable e) {
            failures.log("Failed to publish a step to {}.", RegistryRun.describe(run.current()), e);
        }
        finally {
            lock.unlock();
        }
    }

    private void send(DalvaRun target, StepSnapshot snapshot, int step) {
        Map<String, Double> values = snapshot.values();
        if (publishedSteps == 1) {
            logger.info("Step {} carries {} paths from {} meters to {}.", step, values.size(), snapshot.meters(),
                    RegistryRun.describe(target));
        }
        else {
            logger.debug("Step {} carries {} paths from {} meters.", step, values.size(), snapshot.meters());
        }
        int batchSize = config.batchSize();
        if (values.size() <= batchSize) {
            target.log(values, step);
            return;
        }
        Map<String, Double> chunk = new LinkedHashMap<>();
        for (Map.Entry<String, Double> value : values.entrySet()) {
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

}
