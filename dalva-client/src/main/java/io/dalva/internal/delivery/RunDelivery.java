package io.dalva.internal.delivery;

import io.dalva.client.Conflict;
import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DalvaUnreachableException;
import io.dalva.client.DeliveryFailure;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInit;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.JournalStorage;
import io.dalva.internal.journal.SpoolFolders;
import io.dalva.internal.journal.SpoolManifest;

import io.dalva.internal.logging.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A run's asynchronous delivery: its journal (spool) and its sender.
 * {@link io.dalva.run.DalvaRun} records into it; everything here returns at memory speed
 * except {@link #flush} and {@link #finish}, which wait at most their timeout.
 */
public final class RunDelivery {

    private static final Log log = Log.of(RunDelivery.class);

    private final Journal journal;

    private final RunSender sender;

    private final DeliveryOptions options;

    private final boolean synchronous;

    private final Backlog backlog = new Backlog();

    private RunDelivery(Journal journal, RunSender sender, DeliveryOptions options, boolean synchronous) {
        this.journal = journal;
        this.sender = sender;
        this.options = options;
        this.synchronous = synchronous;
    }

    /**
     * Opens the run's journal and starts its sender.
     * @param handle the run as the server created it, or {@code null} when the server was
     * unreachable: the sender creates it when the server appears
     * @param opener creates, resumes or forks a run on the server (with the caller's
     * checks)
     */
    public static RunDelivery start(DalvaClient client, DeliveryOptions options, boolean synchronous, RunInit init,
            RunHandle handle, Function<RunInit, RunHandle> opener) {
        String resumed = handle != null && init.resumeFrom() != null ? handle.runId() : init.resumeFrom();
        Journal journal = null;
        SpoolManifest manifest = null;
        Path spool = options.spoolDirectory();
        if (spool != null && resumed != null) {
            Path previous = SpoolFolders.find(spool, client.serverUrl(), init.project(), resumed);
            if (previous != null) {
                try {
                    manifest = SpoolManifest.read(previous);
                    journal = Journal.open(previous, options.segmentBytes(), options.maxSpoolBytes(),
                            options.syncInterval(), JournalStorage.DEFAULT);
                    log.info("Resuming run " + resumed + " with " + (journal.lastSeq() - journal.deliveredSeq())
                            + " undelivered event(s) from " + previous);
                }
                catch (IOException | RuntimeException e) {
                    log.warn("Cannot reopen the spool of run " + resumed + " at " + previous + " (" + e.getMessage()
                            + "); its data stays there for the replay command", e);
                    journal = null;
                }
            }
        }
        boolean reopened = journal != null;
        if (!reopened) {
            manifest = SpoolManifest.create(init.project(), init.name(), client.serverUrl());
            journal = openNew(spool, manifest, options);
        }
        if (handle != null) {
            manifest = manifest.withServerRun(handle.id(), handle.runId(), handle.name());
        }
        writeManifest(journal, manifest);
        RunSender sender = new RunSender(client, journal, manifest, options, opener);
        if (!reopened) {
            boolean deferredResume = handle == null && init.resumeFrom() != null;
            journal.appendRunCreated(manifest.localId(), init.project(), init.name(),
                    deferredResume ? Map.of() : init.config(), init.resumeFrom(), init.forkFrom());
            if (deferredResume && !init.config().isEmpty()) {
                journal.appendConfig(init.config());
            }
        }
        else {
            // The journal may end with an undelivered finish of the earlier process:
            // resume after it.
            journal.append(JournalEvent.RUN_RESUMED, generator -> {
            });
            if (handle == null && !init.config().isEmpty()) {
                journal.appendConfig(init.config());
            }
        }
        return new RunDelivery(journal, sender.start(), options, synchronous);
    }

    private static Journal openNew(Path spool, SpoolManifest manifest, DeliveryOptions options) {
        if (spool != null) {
            Path dir = spool.resolve(manifest.localId());
            try {
                return Journal.open(dir, options.segmentBytes(), options.maxSpoolBytes(), options.syncInterval(),
                        JournalStorage.DEFAULT);
            }
            catch (IOException | RuntimeException e) {
                log.warn("Cannot create the Dalva spool " + dir + " (" + e.getMessage()
                        + "); undelivered data is kept in memory only", e);
            }
        }
        return Journal.inMemory(options.segmentBytes(), options.maxSpoolBytes());
    }

    private static void writeManifest(Journal journal, SpoolManifest manifest) {
        if (journal.directory() != null) {
            try {
                manifest.write(journal.directory());
            }
            catch (IOException e) {
                log.warn("Cannot write the spool manifest in " + journal.directory(), e);
            }
        }
    }

    /**
     * The run as the server knows it; ids are unknown ({@code null}) until the server
     * created it.
     */
    public SpoolManifest manifest() {
        return sender.manifest();
    }

    public Path directory() {
        return journal.directory();
    }

    /**
     * Records metrics already encoded as a {@code metrics_logged} payload
     * ({@code {"metrics":{…},"step":N}}, UTF-8, checked by the caller) of {@code values}
     * values; returns at once unless synchronous.
     */
    public void logEncoded(byte[] payload, int length, int values) {
        long seq = journal.appendEncoded(JournalEvent.METRICS_LOGGED, payload, 0, length);
        logged(seq, values);
    }

    private void logged(long seq, int values) {
        backlog.logged(seq, values);
        sender.wake();
        if (synchronous && seq > 0) {
            awaitSynchronously(seq);
        }
    }

    public void logConfig(Map<String, ?> config) {
        long seq = journal.appendConfig(config);
        sender.wake();
        if (synchronous && seq > 0) {
            awaitSynchronously(seq);
        }
    }

    private void awaitSynchronously(long seq) {
        if (!sender.awaitDelivered(seq, options.shutdownTimeout().toNanos())) {
            throw new DalvaUnreachableException("not delivered within " + options.shutdownTimeout()
                    + " (kept in the spool, delivered when the server answers)", null);
        }
        DalvaDeliveryException failures = sender.takeFailures();
        if (failures != null && failures.failures().stream().allMatch(failure -> failure.status() == 409)) {
            throw new DalvaConflictException(failures.getMessage(),
                    failures.failures().stream().map(DeliveryFailure::reason).map(Conflict::parse).toList());
        }
        if (failures != null) {
            throw failures;
        }
    }

    /**
     * Waits until everything recorded so far is delivered, at most {@code timeout}.
     * @return whether everything was delivered in time
     * @throws DalvaDeliveryException when the server rejected values since the last
     * report
     */
    public boolean flush(Duration timeout) {
        boolean delivered = sender.awaitDelivered(journal.lastSeq(), Objects.requireNonNull(timeout).toNanos());
        DalvaDeliveryException failures = sender.takeFailures();
        if (failures != null) {
            throw failures;
        }
        return delivered;
    }

    /**
     * Records the run's end, delivers within the shutdown timeout, then stops the sender.
     * What is left stays in the spool (delivered on resume or by the replay command).
     * @return whether everything, the finish included, was delivered
     */
    public boolean finish(String state) {
        long deadline = System.nanoTime() + options.shutdownTimeout().toNanos();
        long seq = journal.appendRunFinished(state);
        sender.wake();
        boolean delivered = seq > 0 && sender.awaitDelivered(seq, options.shutdownTimeout().toNanos());
        sender.stop(Math.max(0, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100))));
        long left = journal.lastSeq() - journal.deliveredSeq();
        if (delivered && left == 0) {
            journal.delete();
        }
        else {
            journal.close();
            String where = journal.directory() == null ? "memory only: they are lost" : "kept in " + journal.directory()
                    + "; they are delivered when the run is resumed or by " + "`java -jar dalva.jar replay "
                    + journal.directory() + "`"
                    + (journal.storageProblem() != null
                            ? " (except those the failing storage could not take: " + journal.storageProblem() + ")"
                            : "");
            log.warn("Dalva run {}: {} event(s) not delivered within {}{}; {}.", name(), left,
                    options.shutdownTimeout(), sender.halted() != null ? " (" + sender.halted() + ")" : "", where);
        }
        if (journal.droppedEvents() > 0) {
            log.warn("Dalva run {}: {} event(s) were dropped because the spool was full.", name(),
                    journal.droppedEvents());
        }
        return delivered;
    }

    /**
     * Waits until everything recorded so far is delivered, at most {@code timeout};
     * reports nothing.
     */
    public boolean await(Duration timeout) {
        return sender.awaitDelivered(journal.lastSeq(), timeout.toNanos());
    }

    /** Waits at most {@code timeout} until the server has created the run. */
    public boolean awaitCreated(Duration timeout) {
        return sender.awaitCreated(timeout.toNanos());
    }

    /** Journal events recorded but not delivered yet. */
    public long undeliveredEvents() {
        return Math.max(0, journal.lastSeq() - journal.deliveredSeq());
    }

    /** Metric values logged but not delivered yet (by this process). */
    public long undeliveredValues() {
        return backlog.values(journal.deliveredSeq());
    }

    /** How long the oldest undelivered value has waited; zero when none waits. */
    public Duration oldestUndeliveredWait() {
        return Duration.ofNanos(backlog.oldestWaitNanos(journal.deliveredSeq()));
    }

    /** Events dropped because the spool was full. */
    public long droppedEvents() {
        return journal.droppedEvents();
    }

    /** When an event was last delivered, or {@code null}. */
    public Instant lastSuccess() {
        return sender.lastSuccess();
    }

    /** Why delivery last failed, or {@code null}. */
    public String lastError() {
        return sender.lastError();
    }

    /** The failures not yet reported, or {@code null}. */
    public DalvaDeliveryException takeFailures() {
        return sender.takeFailures();
    }

    private String name() {
        SpoolManifest manifest = sender.manifest();
        return manifest.serverRunId() != null ? manifest.serverRunId() : manifest.localId();
    }

}
