package io.dalva.micrometer;

import io.dalva.client.DalvaClient;
import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import io.dalva.run.DalvaRun;

import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The run a registry writes to: opened (or resumed) from the configuration at the first
 * step that can reach the server, or given to the builder; finished on close if the
 * registry opened it.
 */
final class RegistryRun {

    private static final Log logger = Log.of(RegistryRun.class);

    private final WarnThenDebug openFailures = new WarnThenDebug(RegistryRun.class);

    private final WarnThenDebug finishFailures = new WarnThenDebug(RegistryRun.class);

    private final DalvaConfig config;

    private final DalvaClient client;

    private final boolean owned;

    /** The run given to the builder, until its highest step is known. */
    private DalvaRun provided;

    private volatile DalvaRun run;

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
     * @return the run, or {@code null} while it could not be opened
     */
    DalvaRun current() {
        return run;
    }

    /**
     * Opens the run if it is not open yet, and then starts the step numbers after its
     * highest step. Caller holds the step lock.
     * @return the run, or {@code null} when it cannot be opened now (logged)
     */
    DalvaRun open(StepNumbers numbers) {
        if (run != null) {
            return run;
        }
        try {
            DalvaRun opened = owned ? start() : provided;
            numbers.startAfter(owned && config.resumeFrom() == null ? OptionalInt.empty() : opened.lastStep(),
                    describe(opened));
            run = opened;
            provided = null;
            openFailures.reset();
            logger.info("Writing metrics to {} from step {} ({} steps).", describe(opened), numbers.next(),
                    config.stepMode().name().toLowerCase(Locale.ROOT));
            return opened;
        }
        catch (RuntimeException e) {
            if (owned) {
                openFailures.log("Could not open a Dalva run in project {} at {}; trying again at the next step.",
                        config.project(), config.serverUrl(), e);
            }
            else {
                openFailures.log("Could not read the highest step of {}; trying again at the next step.",
                        describe(provided), e);
            }
            return null;
        }
    }

    private DalvaRun start() {
        DalvaRun.Builder builder = DalvaRun.builder()
            .project(config.project())
            .name(config.runName())
            .config(config.runConfig())
            .resumeFrom(config.resumeFrom())
            // this thread is the registry's publisher, not the application: it may wait
            // for the server
            .synchronous(true)
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
            finishFailures.log("Failed to {} {}.", failed ? "fail" : "finish", describe(target), e);
        }
    }

    static String describe(DalvaRun run) {
        return run == null ? "a Dalva run (not open yet)" : "Dalva run " + run.runId() + " (id " + run.id() + ")";
    }

}
