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
 * The run a registry writes to, opened without ever making a step wait for the server. A
 * new run starts at once (the run's sender creates it on the server when the server
 * answers; its steps wait in the spool meanwhile) and numbers its steps from 0. A run to
 * resume, or one given to the builder, continues after its highest step, which only the
 * server knows: it is opened on a background thread, and steps taken before it is open
 * keep their activity for the next step. Finished on close if the registry opened it.
 */
final class RegistryRun {

    private static final Log logger = Log.of(RegistryRun.class);

    private final WarnThenDebug openFailures = new WarnThenDebug(RegistryRun.class);

    private final WarnThenDebug finishFailures = new WarnThenDebug(RegistryRun.class);

    private final DalvaConfig config;

    private final DalvaClient client;

    private final boolean owned;

    /** The run given to the builder, until its highest step is known. */
    private final DalvaRun provided;

    /** A background opening in progress or done; guarded by the step lock. */
    private CompletableFuture<Opened> opening;

    private volatile DalvaRun run;

    private record Opened(DalvaRun run, OptionalInt lastStep) {
    }

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
     * @return the run, or {@code null} while it is not open
     */
    DalvaRun current() {
        return run;
    }

    /**
     * Opens the run if it is not open yet, and then starts the step numbers after its
     * highest step. Never waits for the server. Caller holds the step lock.
     * @return the run, or {@code null} when it is not open yet (logged)
     */
    DalvaRun open(StepNumbers numbers) {
        if (run != null) {
            return run;
        }
        if (owned && config.resumeFrom() == null) {
            try {
                return opened(new Opened(start(), OptionalInt.empty()), numbers);
            }
            catch (RuntimeException e) {
                openFailures.log("Could not start a Dalva run in project {} ({}); trying again at the next step.",
                        config.project(), e.getMessage());
                return null;
            }
        }
        if (opening == null) {
            opening = CompletableFuture.supplyAsync(this::openWithLastStep, command -> {
                Thread thread = new Thread(command, "dalva-run-open");
                thread.setDaemon(true);
                thread.start();
            });
        }
        if (!opening.isDone()) {
            logger.debug("Dalva run not open yet: the activity stays for the next step.");
            return null;
        }
        return takeOpening(numbers);
    }

    /**
     * Like {@link #open(StepNumbers)}, but waits at most {@code timeout} for an opening
     * in progress: for the final step.
     */
    DalvaRun openWithin(StepNumbers numbers, Duration timeout) {
        DalvaRun opened = open(numbers);
        if (opened != null || opening == null) {
            return opened;
        }
        try {
            opening.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        catch (ExecutionException | TimeoutException e) {
            // reported by takeOpening, or still not open
        }
        return opening.isDone() ? takeOpening(numbers) : null;
    }

    private DalvaRun takeOpening(StepNumbers numbers) {
        CompletableFuture<Opened> done = opening;
        opening = null;
        try {
            return opened(done.join(), numbers);
        }
        catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (owned) {
                openFailures.log(
                        "Could not resume Dalva run {} in project {} at {} ({}); trying again at the next step.",
                        config.resumeFrom(), config.project(), config.serverUrl(), cause.getMessage());
            }
            else {
                openFailures.log("Could not read the highest step of {} ({}); trying again at the next step.",
                        describe(provided), cause.getMessage());
            }
            return null;
        }
    }

    private Opened openWithLastStep() {
        DalvaRun opened = owned ? start() : provided;
        try {
            return new Opened(opened, opened.lastStep());
        }
        catch (RuntimeException e) {
            if (owned) {
                opened.close();
            }
            throw e;
        }
    }

    private DalvaRun opened(Opened opened, StepNumbers numbers) {
        numbers.startAfter(opened.lastStep(), describe(opened.run()));
        run = opened.run();
        openFailures.reset();
        logger.info("Writing metrics to {} from step {} ({} steps).", describe(opened.run()), numbers.next(),
                config.stepMode().name().toLowerCase(Locale.ROOT));
        return opened.run();
    }

    private DalvaRun start() {
        DalvaRun.Builder builder = DalvaRun.builder()
            .project(config.project())
            .name(config.runName())
            .config(config.runConfig())
            .resumeFrom(config.resumeFrom())
            // a step never waits for the server: a new run is created by its sender
            .createInBackground(config.resumeFrom() == null)
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
