package io.dalva.micrometer;

import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import io.dalva.run.DalvaRun;
import io.dalva.run.MetricsBuffer;
import io.micrometer.core.instrument.Meter;

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

    private final StepSnapshot snapshot;

    private final DeliveryLag lag;

    // guarded by lock
    private final StepNumbers numbers = new StepNumbers();

    private boolean finalStepTaken;

    private long publishedSteps;

    StepPublisher(DalvaConfig config, RegistryRun run, Supplier<Iterable<Meter>> meters, MeterFolders folders,
            SkippedValues skipped) {
        this.config = config;
        this.run = run;
        this.meters = meters;
        this.snapshot = new StepSnapshot(folders, new MeterFields(config.baseTimeUnit()), skipped);
        this.lag = new DeliveryLag(config.step());
    }

    /** Whether the next step number is known (tests). */
    boolean numbered() {
        return run.numbered();
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
            DalvaRun target = finalStep ? run.openWithin(numbers, config.shutdownTimeout()) : run.open(numbers);
            if (target == null) {
                // nothing is taken: the activity stays for the next step
                if (finalStep) {
                    logger.warn("Final step not published: no Dalva run could be started.");
                }
                return;
            }
            if (requested == null && !run.numbered()) {
                logger.debug("The next step number of {} is not known yet: the activity stays for the next step.",
                        RegistryRun.describe(target));
                if (finalStep) {
                    logger.warn("Final step not published: the highest step of {} could not be read.",
                            RegistryRun.describe(target));
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
            snapshot.take(meters.get());
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
            send(target, step);
            failures.reset();
        }
        catch (Throwable e) {
            failures.log("Failed to publish a step to {}.", RegistryRun.describe(run.current()), e);
        }
        finally {
            lock.unlock();
        }
    }

    private void send(DalvaRun target, int step) {
        MetricsBuffer values = snapshot.values();
        if (publishedSteps == 1) {
            logger.info("Step {} carries {} values from {} meters to {}.", step, values.values(), snapshot.meters(),
                    RegistryRun.describe(target));
        }
        else {
            logger.debug("Step {} carries {} values from {} meters.", step, values.values(), snapshot.meters());
        }
        target.log(values, step);
        lag.check(target, step, values.values());
    }

}
