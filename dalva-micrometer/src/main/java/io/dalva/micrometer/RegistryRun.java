package io.dalva.micrometer;

import io.dalva.client.DalvaClient;
import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import io.dalva.run.DalvaRun;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The run a registry writes to, opened without ever making a step wait for the server:
 * the registry's own run starts at once (created, or resumed, on the server by the run's
 * sender when the server answers; its steps wait in the spool meanwhile). A new run
 * numbers its steps from 0. A resumed run, or one given to the builder, continues after
 * its highest step, which only the server knows: it is read on a background thread, and
 * until it is known only steps with a number of their own ({@code step(n)}) are taken;
 * the others keep their activity for the next step. Finished on close if the registry
 * opened it.
 */
final class RegistryRun {

    private static final Log logger = Log.of(RegistryRun.class);

    private final WarnThenDebug openFailures = new WarnThenDebug(RegistryRun.class);

    private final WarnThenDebug finishFailures = new WarnThenDebug(RegistryRun.class);

    private final DalvaConfig config;

    private final DalvaClient client;

    private final boolean owned;

    private final DalvaRun provided;

    private volatile DalvaRun run;

    /** Whether the next step number is known; written under the step lock. */
    private volatile boolean numbered;

    /** The highest step being read from the server; guarded by the step lock. */
    private CompletableFuture<OptionalInt> lastStep;

    /**
     * @param client the client for a run the registry opens, or {@code null} for one from
     * the configuration
     * @param provided an open run to write to, or {@code null} to open one
     */
    RegistryRun(DalvaConfig config, DalvaClient client, DalvaRun provided) {
        this.config = config;
        this.client = client;
        this.owned = provided == null;
        this.provided = provided;
    }

    /**
     * @return the run, or {@code null} while it could not be started
     */
    DalvaRun current() {
        return run;
    }

    /**
     * Starts the run if it is not started yet, and learns its next step number when it
     * can. Never waits for the server. Caller holds the step lock.
     * @return the run, or {@code null} when it cannot be started now (logged)
     */
    DalvaRun open(StepNumbers numbers) {
        if (run == null) {
            try {
                run = owned ? start() : provided;
            }
            catch (RuntimeException e) {
                openFailures.log("Could not start a Dalva run in project {} ({}); trying again at the next step.",
                        config.project(), e.getMessage());
                return null;
            }
            if (owned && config.resumeFrom() == null) {
                numbered(OptionalInt.empty(), numbers);
            }
        }
        if (!numbered) {
            if (lastStep == null) {
                DalvaRun target = run;
                lastStep = CompletableFuture.supplyAsync(target::lastStep, command -> {
                    Thread thread = new Thread(command, "dalva-run-last-step");
                    thread.setDaemon(true);
                    thread.start();
                });
            }
            if (lastStep.isDone()) {
                takeLastStep(numbers);
            }
        }
        return run;
    }

    /**
     * Whether the next step number is known (a step without a number of its own can be
     * taken).
     */
    boolean numbered() {
        return numbered;
    }

    /**
     * Like {@link #open(StepNumbers)}, but waits at most {@code timeout} for the next
     * step number: for the final step.
     */
    DalvaRun openWithin(StepNumbers numbers, Duration timeout) {
        DalvaRun opened = open(numbers);
        if (opened == null || numbered) {
            return opened;
        }
        try {
            lastStep.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return opened;
        }
        catch (ExecutionException | TimeoutException e) {
            // reported by takeLastStep, or still unknown
        }
        return open(numbers);
    }

    private void takeLastStep(StepNumbers numbers) {
        CompletableFuture<OptionalInt> done = lastStep;
        lastStep = null;
        try {
            numbered(done.join(), numbers);
        }
        catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            openFailures.log("Could not read the highest step of {} ({}); trying again at the next step.",
                    describe(run), cause.getMessage());
        }
    }

    private void numbered(OptionalInt last, StepNumbers numbers) {
        numbers.startAfter(last, describe(run));
        numbered = true;
        openFailures.reset();
        logger.info("Writing metrics to {} from step {} ({} steps).", describe(run), numbers.next(),
                config.stepMode().name().toLowerCase(Locale.ROOT));
    }

    private DalvaRun start() {
        DalvaRun.Builder builder = DalvaRun.builder()
            .project(config.project())
            .name(config.runName())
            .config(config.runConfig())
            .resumeFrom(config.resumeFrom())
            // a step never waits for the server: the run's sender creates (resumes) it
            .createInBackground(true)
            .maxBatchValues(config.batchSize())
            .shutdownTimeout(config.shutdownTimeout());
        // null (a configuration of its own may return it) means DalvaRun's default
        if (config.spoolDirectory() != null) {
            builder.spoolDirectory(Path.of(config.spoolDirectory()));
        }
        if (client != null) {
            builder.client(client);
        }
        else {
            builder.serverUrl(config.serverUrl())
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .callTimeout(config.callTimeout());
            config.headers().forEach(builder::header);
        }
        return builder.start();
    }

    /** Finishes the run (completed, or failed) if the registry opened it. */
    void finish(boolean failed) {
        DalvaRun target = run;
        if (target == null || !owned) {
            return;
        }
        try {
            if (failed) {
                target.fail();
            }
            target.close();
        }
        catch (Throwable e) {
            finishFailures.log("Failed to {} {} ({}).", failed ? "fail" : "finish", describe(target), e.toString());
        }
    }

    static String describe(DalvaRun run) {
        if (run == null) {
            return "a Dalva run (not open yet)";
        }
        return run.runId() != null ? "Dalva run " + run.runId() + " (id " + run.id() + ")"
                : "Dalva run " + (run.name() != null ? "'" + run.name() + "' " : "") + "in project " + run.project()
                        + " (being created)";
    }

}
