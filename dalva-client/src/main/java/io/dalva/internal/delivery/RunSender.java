package io.dalva.internal.delivery;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DeliveryFailure;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInit;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.JournalReader;
import io.dalva.internal.journal.SpoolManifest;
import io.dalva.internal.logging.Log;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Delivers one run's journal to the server on its own daemon thread
 * ({@code dalva-sender}): one request in flight, events in journal order, consecutive
 * metric events batched through {@link DalvaClient#logBatch} (never the same path and
 * step twice in one batch, which the server answers with a 500).
 *
 * <p>
 * Connection failures, timeouts, 429 and 5xx (anything but 404, 409 and 422) are retried
 * with {@link Backoff} until they succeed or the sender stops (what is left stays in the
 * journal). A retried batch answered 409 whose conflicts say that every value of the
 * batch "already exists" was stored by an earlier attempt: delivered. Other 409s and 422s
 * are genuine: the rejected values are reported as {@link DeliveryFailure}s and the rest
 * of the batch is sent again, so nothing queued behind them waits. Events from an earlier
 * process (a replay) count as retried.
 *
 * <p>
 * This class runs the thread and dispatches each event: {@link MetricsSender} delivers
 * the metrics, {@link ConfigSender} the config, {@link RunCalls} the run's creation and
 * state, all through one {@link SenderState}.
 */
public final class RunSender {

    private static final Log log = Log.of(RunSender.class);

    private final Journal journal;

    private final DeliveryOptions options;

    private final JournalReader reader;

    private final SenderState state;

    private final RunCalls runCalls;

    private final ConfigSender configSender;

    private final MetricsSender metricsSender;

    private final Thread thread;

    private final Object progress = new Object();

    private volatile String halted;

    private volatile Instant lastSuccess;

    /**
     * @param runOpener creates (or resumes, forks) the run on the server;
     * {@code client::initRun} or a caller's checked variant
     */
    public RunSender(DalvaClient client, Journal journal, SpoolManifest manifest, DeliveryOptions options,
            Function<RunInit, RunHandle> runOpener) {
        this.state = new SenderState(Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(journal, "journal"), Objects.requireNonNull(manifest, "manifest"),
                Objects.requireNonNull(options, "options"));
        this.journal = journal;
        this.options = options;
        this.runCalls = new RunCalls(state, Objects.requireNonNull(runOpener, "runOpener"), this::halt);
        this.reader = journal.reader(journal.deliveredSeq());
        this.configSender = new ConfigSender(state);
        this.metricsSender = new MetricsSender(state, journal.recoveredSeq());
        this.thread = new Thread(this::loop, "dalva-sender");
        thread.setDaemon(true);
    }

    public RunSender start() {
        thread.start();
        return this;
    }

    /** Tells the sender that events were appended (cheap: an unpark). */
    void wake() {
        LockSupport.unpark(thread);
    }

    public SpoolManifest manifest() {
        return state.manifest();
    }

    /**
     * Why the sender stopped delivering for good (the run cannot be created), or
     * {@code null}.
     */
    public String halted() {
        return halted;
    }

    /**
     * Waits until every event up to {@code seq} is delivered or reported; false on
     * timeout or halt.
     */
    public boolean awaitDelivered(long seq, long timeoutNanos) {
        return await(() -> journal.deliveredSeq() >= seq, timeoutNanos);
    }

    /**
     * Waits until the server has created the run (its ids are in the manifest), at most
     * {@code timeoutNanos}; false on timeout or halt.
     */
    public boolean awaitCreated(long timeoutNanos) {
        return await(() -> state.manifest().created(), timeoutNanos);
    }

    private boolean await(BooleanSupplier done, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (progress) {
            while (!done.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || halted != null || !thread.isAlive() && thread.getState() != Thread.State.NEW) {
                    return done.getAsBoolean();
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, remaining);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The failures reported since the last call, or {@code null} when there were none.
     */
    public DalvaDeliveryException takeFailures() {
        return state.takeFailures();
    }

    /**
     * Stops after the request in flight (waiting at most {@code timeoutNanos}), then
     * forces the journal.
     */
    public void stop(long timeoutNanos) {
        state.stop();
        LockSupport.unpark(thread);
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(timeoutNanos, 1));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        journal.force();
    }

    private void loop() {
        try {
            while (!state.stopping() && halted == null) {
                JournalEvent event = reader.peek();
                if (event == null) {
                    state.forceIfDue();
                    LockSupport.parkNanos(this, options.syncInterval().toNanos());
                    continue;
                }
                if (!deliver(event)) {
                    break;
                }
                state.forceIfDue();
            }
        }
        catch (RuntimeException | Error e) {
            halt("unexpected error: " + e);
            log.error("Dalva sender for run " + state.runName() + " stopped; undelivered events stay in the spool", e);
        }
        finally {
            reader.close();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    /**
     * Delivers the event at the head of the reader (and, for metrics, those batched with
     * it).
     */
    private boolean deliver(JournalEvent event) {
        if (JournalEvent.RUN_CREATED.equals(event.type())) {
            reader.next();
            return runCalls.openRun(event) && acknowledge(event.seq());
        }
        if (!state.manifest().created() && !runCalls.openRunFromManifest()) {
            return false;
        }
        switch (event.type()) {
            case JournalEvent.METRICS_LOGGED:
                return sendMetrics();
            case JournalEvent.CONFIG_LOGGED:
                reader.next();
                return configSender.send(event) && acknowledge(event.seq());
            case JournalEvent.RUN_RESUMED:
                reader.next();
                return runCalls.resumeRun() && acknowledge(event.seq());
            case JournalEvent.RUN_FINISHED:
                reader.next();
                if (!runCalls.finishRun(event)) {
                    return false;
                }
                state.updateManifest(state.manifest().withState(event.string("state")));
                return acknowledge(event.seq());
            default:
                reader.next();
                log.debug("Skipping journal event " + event.seq() + " of type " + event.type());
                return acknowledge(event.seq());
        }
    }

    /** When an event was last delivered, or {@code null} before the first one. */
    public Instant lastSuccess() {
        return lastSuccess;
    }

    /**
     * Why delivery last failed (retried or rejected), or {@code null} before any failure.
     */
    public String lastError() {
        return state.lastError();
    }

    private boolean acknowledge(long seq) {
        journal.acknowledge(seq);
        lastSuccess = Instant.now();
        synchronized (progress) {
            progress.notifyAll();
        }
        return true;
    }

    /**
     * Sends the metric events at the head of the journal, then acknowledges every event
     * the batch completed.
     */
    private boolean sendMetrics() {
        if (!metricsSender.send(reader)) {
            return false;
        }
        if (metricsSender.completeSeq() < 0) { // a part of a big event: acknowledged
                                               // with its last
            lastSuccess = Instant.now();
            return true;
        }
        return acknowledge(metricsSender.completeSeq());
    }

    private void halt(String reason) {
        halted = reason;
        synchronized (progress) {
            progress.notifyAll();
        }
    }

}
