package io.dalva.internal.delivery;

import static io.dalva.internal.delivery.SenderState.reason;
import static io.dalva.internal.delivery.SenderState.retryable;

import io.dalva.client.DalvaException;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInit;
import io.dalva.client.RunState;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.SpoolManifest;
import io.dalva.internal.logging.Log;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The calls that change a run's state on the server: create it (from its
 * {@code run_created} event or from the manifest), resume it, finish it (or mark it
 * failed). Each is retried until it succeeds, the sender stops, or the server refuses: a
 * refused creation halts the sender, a refused state change is reported. Logs under
 * {@link RunSender}'s name.
 */
final class RunCalls {

    private static final Log log = Log.of(RunSender.class);

    private final SenderState state;

    private final Function<RunInit, RunHandle> runOpener;

    private final Consumer<String> halt;

    /**
     * @param runOpener creates (or resumes, forks) the run on the server
     * @param halt stops the sender for good, with the reason
     */
    RunCalls(SenderState state, Function<RunInit, RunHandle> runOpener, Consumer<String> halt) {
        this.state = state;
        this.runOpener = runOpener;
        this.halt = halt;
    }

    /** Creates the run its {@code run_created} event describes, unless it exists. */
    boolean openRun(JournalEvent event) {
        if (state.manifest().created()) {
            return true;
        }
        RunInit init;
        try {
            init = new RunInit(event.string("project"), event.string("name"), event.config(),
                    event.string("resume_from"), event.string("fork_from"), List.of(), false);
        }
        catch (IllegalArgumentException e) {
            halt.accept("invalid run_created event: " + e.getMessage());
            return false;
        }
        for (int retry = 0;; retry++) {
            try {
                RunHandle handle = runOpener.apply(init);
                state.updateManifest(state.manifest().withServerRun(handle.id(), handle.runId(), handle.name()));
                log.info("Run created: " + handle.runId());
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    halt.accept("the server refused to create the run: " + e.getMessage());
                    log.error(
                            "Dalva run " + state.manifest().localId()
                                    + " cannot be created; its data stays in the spool " + state.journal().directory(),
                            e);
                    return false;
                }
                if (!state.sleepBeforeRetry(retry, "create run", e)) {
                    return false;
                }
            }
        }
    }

    /**
     * The journal no longer starts with its {@code run_created} event (delivered to
     * another server, or damaged): the run is created from the manifest, without config.
     */
    boolean openRunFromManifest() {
        SpoolManifest current = state.manifest();
        RunInit init = new RunInit(current.project(), current.name(), Map.of(), null, null, List.of(), false);
        for (int retry = 0;; retry++) {
            try {
                RunHandle handle = runOpener.apply(init);
                state.updateManifest(state.manifest().withServerRun(handle.id(), handle.runId(), handle.name()));
                log.info("Run created: {} (for the events of {} left in {}).", handle.runId(), current.localId(),
                        state.journal().directory());
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    halt.accept("the server refused to create the run: " + e.getMessage());
                    return false;
                }
                if (!state.sleepBeforeRetry(retry, "create run", e)) {
                    return false;
                }
            }
        }
    }

    /**
     * A later process resumed the run: state back to running (after any finish the
     * journal holds).
     */
    boolean resumeRun() {
        SpoolManifest manifest = state.manifest();
        RunInit init = new RunInit(manifest.project(), null, Map.of(), manifest.serverRunId(), null, List.of(), false);
        for (int retry = 0;; retry++) {
            try {
                runOpener.apply(init);
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    state.report("(run state)", null, e.status(), "cannot resume: " + reason(e));
                    return true;
                }
                if (!state.sleepBeforeRetry(retry, "resume the run", e)) {
                    return false;
                }
            }
        }
    }

    /** Finishes the run, or marks it failed, as its {@code run_finished} event says. */
    boolean finishRun(JournalEvent event) {
        boolean failed = "failed".equals(event.string("state"));
        for (int retry = 0;; retry++) {
            try {
                if (failed) {
                    state.client().setState(state.manifest().serverId(), RunState.FAILED);
                }
                else {
                    state.client().finish(state.manifest().serverId());
                }
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    state.report("(run state)", null, e.status(), reason(e));
                    return true;
                }
                if (!state.sleepBeforeRetry(retry, failed ? "mark the run failed" : "finish the run", e)) {
                    return false;
                }
            }
        }
    }

}
