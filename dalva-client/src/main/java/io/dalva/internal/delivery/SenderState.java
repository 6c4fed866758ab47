package io.dalva.internal.delivery;

import io.dalva.client.Conflict;
import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DalvaException;
import io.dalva.client.DalvaInvalidRequestException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.DeliveryFailure;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.SpoolManifest;
import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the parts of a {@link RunSender} share: the client, the run's manifest, the wait
 * between two attempts (and the journal's periodic force during it), and the values
 * reported as {@link DeliveryFailure}s. Logs under {@link RunSender}'s name, like the
 * sender did before it was split.
 */
final class SenderState {

    private static final Log log = Log.of(RunSender.class);

    static final int MAX_KEPT_FAILURES = 1000;

    private final WarnThenDebug retryLogger = new WarnThenDebug(RunSender.class);

    private final WarnThenDebug rejectLogger = new WarnThenDebug(RunSender.class);

    private final DalvaClient client;

    private final Journal journal;

    private final DeliveryOptions options;

    private final SplittableRandom random = new SplittableRandom();

    private final List<DeliveryFailure> failures = new ArrayList<>(); // guarded by
                                                                      // itself

    private long failureCount; // guarded by failures

    private volatile SpoolManifest manifest;

    private volatile boolean stopping;

    private volatile String lastError;

    private long lastForceNanos = System.nanoTime();

    SenderState(DalvaClient client, Journal journal, SpoolManifest manifest, DeliveryOptions options) {
        this.client = client;
        this.journal = journal;
        this.manifest = manifest;
        this.options = options;
    }

    DalvaClient client() {
        return client;
    }

    Journal journal() {
        return journal;
    }

    DeliveryOptions options() {
        return options;
    }

    SpoolManifest manifest() {
        return manifest;
    }

    /** Keeps the manifest, and writes it to the spool when the journal has a folder. */
    void updateManifest(SpoolManifest updated) {
        manifest = updated;
        if (journal.directory() != null) {
            try {
                updated.write(journal.directory());
            }
            catch (IOException e) {
                log.warn("Cannot update spool manifest in " + journal.directory(), e);
            }
        }
    }

    /** The run's name on the server, or its local id before the server created it. */
    String runName() {
        SpoolManifest current = manifest;
        return current.serverRunId() != null ? current.serverRunId() : current.localId();
    }

    String lastError() {
        return lastError;
    }

    boolean stopping() {
        return stopping;
    }

    /** Ends the waits between attempts; the sender's thread stops after its request. */
    void stop() {
        stopping = true;
    }

    /**
     * Everything but the server's verdict on the values themselves (409, 422) or on the
     * run (404) is retried: connection failures, timeouts, 429, 5xx, and also what a
     * proxy in front of the server may answer (401, 403, 502 pages) until it is fixed.
     * Data is never dropped for those.
     */
    static boolean retryable(DalvaException e) {
        return !(e instanceof DalvaConflictException || e instanceof DalvaInvalidRequestException
                || e instanceof DalvaNotFoundException);
    }

    /**
     * Waits the backoff of this retry (logging the cause, when there is one); false when
     * the sender stops first.
     */
    boolean sleepBeforeRetry(int retry, String what, DalvaException cause) {
        long delay = options.backoff().delayNanos(retry, random);
        if (cause == null) {
            log.debug("Dalva run {}: waiting {} ms to {}.", runName(), TimeUnit.NANOSECONDS.toMillis(delay), what);
        }
        else {
            lastError = "cannot " + what + ": " + cause.getMessage();
            retryLogger.log("Dalva run " + runName() + ": cannot " + what + " (" + cause.getMessage()
                    + "); retrying in " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms, data kept in the spool");
        }
        long deadline = System.nanoTime() + delay;
        forceIfDue();
        for (long left = delay; left > 0 && !stopping; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
        }
        return !stopping;
    }

    /** Forces the journal when the sync interval has passed since the last time. */
    void forceIfDue() {
        long now = System.nanoTime();
        if (now - lastForceNanos >= options.syncInterval().toNanos()) {
            journal.force();
            lastForceNanos = now;
        }
    }

    /** Reports a value the server rejected (not retried). */
    void report(String path, Integer step, int status, String reason) {
        DeliveryFailure failure = new DeliveryFailure(runName(), path, step, status, reason);
        lastError = failure.toString();
        rejectLogger.log("Dalva rejected a value, not retried: " + failure);
        synchronized (failures) {
            failureCount++;
            if (failures.size() < MAX_KEPT_FAILURES) {
                failures.add(failure);
            }
        }
    }

    /**
     * The failures reported since the last call, or {@code null} when there were none.
     */
    DalvaDeliveryException takeFailures() {
        synchronized (failures) {
            if (failureCount == 0) {
                return null;
            }
            DalvaDeliveryException exception = new DalvaDeliveryException(failures, failureCount);
            failures.clear();
            failureCount = 0;
            return exception;
        }
    }

    static String reason(DalvaException e) {
        if (e instanceof DalvaConflictException conflict && !conflict.conflicts().isEmpty()) {
            return String.join("; ", conflict.conflicts().stream().map(Conflict::toString).toList());
        }
        return e.getMessage();
    }

}
