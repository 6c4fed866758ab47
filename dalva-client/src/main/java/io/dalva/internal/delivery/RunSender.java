package io.dalva.internal.delivery;

import io.dalva.client.DalvaClient;
import io.dalva.client.Conflict;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DalvaException;
import io.dalva.client.DalvaInvalidRequestException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.DalvaUnreachableException;
import io.dalva.client.DeliveryFailure;
import io.dalva.client.LogEntry;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInit;
import io.dalva.client.RunState;
import io.dalva.client.internal.Values;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.SpoolManifest;

import io.dalva.internal.logging.Log;
import io.dalva.internal.logging.WarnThenDebug;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
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
 */
public final class RunSender {

    private static final Log log = Log.of(RunSender.class);
    static final int MAX_KEPT_FAILURES = 1000;

    /**
     * The least time given to the server to finish storing a request it may still hold
     * before the request is sent again (sooner when its last value shows up).
     */
    static final long MIN_SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final WarnThenDebug retryLogger = new WarnThenDebug(RunSender.class);

    private final WarnThenDebug rejectLogger = new WarnThenDebug(RunSender.class);

    private final DalvaClient client;

    private final Journal journal;

    private final DeliveryOptions options;

    private final Function<RunInit, RunHandle> runOpener;

    private final Journal.Reader reader;

    private final MetricsBatch batch = new MetricsBatch((path, step, reason) -> report(path, step, 0, reason));

    private final BatchSizer sizer;

    private final long replayedUpTo;

    private final Thread thread;

    private final SplittableRandom random = new SplittableRandom();

    private final Object progress = new Object();

    private final List<DeliveryFailure> failures = new ArrayList<>(); // guarded by
                                                                      // progress

    private long failureCount; // guarded by progress

    private volatile SpoolManifest manifest;

    private volatile boolean stopping;

    private volatile String halted;

    private volatile boolean finished;

    private volatile Instant lastSuccess;

    private volatile String lastError;

    private long lastForceNanos = System.nanoTime();

    /**
     * @param runOpener creates (or resumes, forks) the run on the server;
     * {@code client::initRun} or a caller's checked variant
     */
    public RunSender(DalvaClient client, Journal journal, SpoolManifest manifest, DeliveryOptions options,
            Function<RunInit, RunHandle> runOpener) {
        this.client = Objects.requireNonNull(client, "client");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.options = Objects.requireNonNull(options, "options");
        this.runOpener = Objects.requireNonNull(runOpener, "runOpener");
        this.reader = journal.reader(journal.deliveredSeq());
        this.sizer = new BatchSizer(options.targetRequestTime(), options.maxBatchValues());
        this.replayedUpTo = journal.recoveredSeq();
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
        return manifest;
    }

    Journal journal() {
        return journal;
    }

    /**
     * Why the sender stopped delivering for good (the run cannot be created), or
     * {@code null}.
     */
    public String halted() {
        return halted;
    }

    /** Whether the journal's {@code run_finished} event was delivered. */
    boolean finished() {
        return finished;
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
        return await(() -> manifest.created(), timeoutNanos);
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
        synchronized (progress) {
            if (failureCount == 0) {
                return null;
            }
            DalvaDeliveryException exception = new DalvaDeliveryException(failures, failureCount);
            failures.clear();
            failureCount = 0;
            return exception;
        }
    }

    /**
     * Stops after the request in flight (waiting at most {@code timeoutNanos}), then
     * forces the journal.
     */
    public void stop(long timeoutNanos) {
        stopping = true;
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
            while (!stopping && halted == null) {
                JournalEvent event = reader.peek();
                if (event == null) {
                    forceIfDue();
                    LockSupport.parkNanos(this, options.syncInterval().toNanos());
                    continue;
                }
                if (!deliver(event)) {
                    break;
                }
                forceIfDue();
            }
        }
        catch (RuntimeException | Error e) {
            halt("unexpected error: " + e);
            log.error("Dalva sender for run " + runName() + " stopped; undelivered events stay in the spool", e);
        }
        finally {
            reader.close();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private void forceIfDue() {
        long now = System.nanoTime();
        if (now - lastForceNanos >= options.syncInterval().toNanos()) {
            journal.force();
            lastForceNanos = now;
        }
    }

    /**
     * Delivers the event at the head of the reader (and, for metrics, those batched with
     * it).
     */
    private boolean deliver(JournalEvent event) {
        if (JournalEvent.RUN_CREATED.equals(event.type())) {
            reader.next();
            return openRun(event) && acknowledge(event.seq());
        }
        if (!manifest.created() && !openRunFromManifest()) {
            return false;
        }
        switch (event.type()) {
            case JournalEvent.METRICS_LOGGED:
                return sendMetrics();
            case JournalEvent.CONFIG_LOGGED:
                reader.next();
                return sendConfig(event) && acknowledge(event.seq());
            case JournalEvent.RUN_RESUMED:
                reader.next();
                return resumeRun() && acknowledge(event.seq());
            case JournalEvent.RUN_FINISHED:
                reader.next();
                if (!finishRun(event)) {
                    return false;
                }
                finished = true;
                updateManifest(manifest.withState(event.string("state")));
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
        return lastError;
    }

    private boolean acknowledge(long seq) {
        journal.acknowledge(seq);
        lastSuccess = Instant.now();
        synchronized (progress) {
            progress.notifyAll();
        }
        return true;
    }

    // --- run creation
    // -------------------------------------------------------------------

    private boolean openRun(JournalEvent event) {
        if (manifest.created()) {
            return true;
        }
        RunInit init;
        try {
            init = new RunInit(event.string("project"), event.string("name"), event.config(),
                    event.string("resume_from"), event.string("fork_from"), List.of(), false);
        }
        catch (IllegalArgumentException e) {
            halt("invalid run_created event: " + e.getMessage());
            return false;
        }
        for (int retry = 0;; retry++) {
            try {
                RunHandle handle = runOpener.apply(init);
                updateManifest(manifest.withServerRun(handle.id(), handle.runId(), handle.name()));
                log.info("Run created: " + handle.runId());
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    halt("the server refused to create the run: " + e.getMessage());
                    log.error("Dalva run " + manifest.localId() + " cannot be created; its data stays in the spool "
                            + journal.directory(), e);
                    return false;
                }
                if (!sleepBeforeRetry(retry, "create run", e)) {
                    return false;
                }
            }
        }
    }

    /**
     * The journal no longer starts with its {@code run_created} event (delivered to
     * another server, or damaged): the run is created from the manifest, without config.
     */
    private boolean openRunFromManifest() {
        SpoolManifest current = manifest;
        RunInit init = new RunInit(current.project(), current.name(), Map.of(), null, null, List.of(), false);
        for (int retry = 0;; retry++) {
            try {
                RunHandle handle = runOpener.apply(init);
                updateManifest(manifest.withServerRun(handle.id(), handle.runId(), handle.name()));
                log.info("Run created: {} (for the events of {} left in {}).", handle.runId(), current.localId(),
                        journal.directory());
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    halt("the server refused to create the run: " + e.getMessage());
                    return false;
                }
                if (!sleepBeforeRetry(retry, "create run", e)) {
                    return false;
                }
            }
        }
    }

    /**
     * A later process resumed the run: state back to running (after any finish the
     * journal holds).
     */
    private boolean resumeRun() {
        RunInit init = new RunInit(manifest.project(), null, Map.of(), manifest.serverRunId(), null, List.of(), false);
        for (int retry = 0;; retry++) {
            try {
                runOpener.apply(init);
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    report("(run state)", null, e.status(), "cannot resume: " + reason(e));
                    return true;
                }
                if (!sleepBeforeRetry(retry, "resume the run", e)) {
                    return false;
                }
            }
        }
    }

    private void updateManifest(SpoolManifest updated) {
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

    // --- metrics
    // ------------------------------------------------------------------------

    /**
     * Sends the metric events at the head of the journal as one batch sized to the
     * server, then acknowledges every event it completed.
     */
    private boolean sendMetrics() {
        batch.fill(reader, sizer.budget());
        if (batch.hasValues() && !sendBatch()) {
            return false;
        }
        if (batch.completeSeq() < 0) { // a part of a big event: acknowledged with its
                                       // last
            lastSuccess = Instant.now();
            return true;
        }
        return acknowledge(batch.completeSeq());
    }

    /**
     * Sends the batch until it is stored or reported; false only when the sender stops
     * first. After an attempt that may still be in the server's hands (a timeout, a
     * connection lost after sending), it is not sent again before the server has had the
     * time to store it: the batch's last value is looked up instead, and when it is
     * stored the batch is (the server stores a batch whole or not at all).
     */
    private boolean sendBatch() {
        boolean mayHaveLanded = batch.firstSeq() <= replayedUpTo;
        boolean lookFirst = false;
        long settleDeadline = System.nanoTime();
        for (int retry = 0;; retry++) {
            if (lookFirst) {
                Boolean stored = storedAlready(batch.lastValue());
                if (Boolean.TRUE.equals(stored)) {
                    return true;
                }
                if (stored == null || System.nanoTime() - settleDeadline < 0) {
                    if (!sleepBeforeRetry(retry, "see whether the server stored the " + batch.values()
                            + " value(s) of a request it may still be writing", null)) {
                        return false;
                    }
                    continue;
                }
                lookFirst = false; // not stored, and the server had its time: lost
            }
            long started = System.nanoTime();
            try {
                client.logBatch(manifest.serverId(), batch.body(), batch.length(), sizer.expected(batch.values()));
                sizer.measured(batch.values(), System.nanoTime() - started);
                return true;
            }
            catch (DalvaConflictException e) {
                return resolveConflicts(batch.entries(), e, mayHaveLanded);
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    return rejectEntries(batch.entries(), e);
                }
                mayHaveLanded = true;
                long now = System.nanoTime();
                if (timedOut(e)) {
                    // the server may be writing it still: give it time before sending
                    // again
                    long waited = now - started;
                    sizer.measured(batch.values(), waited);
                    settleDeadline = now + Math.max(MIN_SETTLE_NANOS,
                            2 * Math.max(waited, sizer.expected(batch.values()).toNanos()));
                    lookFirst = true;
                }
                else if (lookFirst && e.status() == 500) {
                    // the server is busy with a write to the run, likely the earlier
                    // attempt
                    settleDeadline = Math.max(settleDeadline, now + MIN_SETTLE_NANOS);
                }
                else if (e instanceof DalvaUnreachableException && !(e.getCause() instanceof ConnectException)) {
                    // the connection broke after the request went out: look once, then
                    // send
                    lookFirst = true;
                    settleDeadline = now;
                }
                if (!sleepBeforeRetry(retry, "log " + batch.values() + " value(s)", e)) {
                    return false;
                }
            }
        }
    }

    /** Whether the request was sent and its answer did not come in time. */
    private static boolean timedOut(DalvaException e) {
        return e instanceof DalvaUnreachableException && e.getCause() instanceof InterruptedIOException;
    }

    /**
     * Sends entries until they are stored or reported; false only when the sender stops
     * first.
     */
    private boolean sendEntries(List<LogEntry> entries, boolean mayHaveLanded) {
        boolean retried = mayHaveLanded;
        for (int retry = 0;; retry++) {
            try {
                client.logBatch(manifest.serverId(), entries);
                return true;
            }
            catch (DalvaConflictException e) {
                return resolveConflicts(entries, e, retried);
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    return rejectEntries(entries, e);
                }
                retried = true;
                if (!sleepBeforeRetry(retry, "log " + entries.size() + " step(s)", e)) {
                    return false;
                }
            }
        }
    }

    /**
     * The server rolled the whole batch back. Values it says "already exist" were stored
     * by an earlier attempt when this request may have landed before (a retry, a replay),
     * or when the server holds the same value: delivered. Other conflicts are genuine:
     * reported. The rest is sent again. A conflict that cannot be tied to its value makes
     * the entries go one by one.
     */
    private boolean resolveConflicts(List<LogEntry> entries, DalvaConflictException e, boolean mayHaveLanded) {
        Map<Integer, Map<String, Conflict>> rejected = new LinkedHashMap<>();
        for (Conflict conflict : e.conflicts()) {
            Attribution attribution = attribute(conflict, entries);
            if (attribution == null) {
                return isolate(entries, e, mayHaveLanded);
            }
            rejected.computeIfAbsent(attribution.entry(), i -> new LinkedHashMap<>())
                .put(attribution.path(), attribution.conflict());
        }
        if (rejected.isEmpty()) {
            return isolate(entries, e, mayHaveLanded);
        }
        List<LogEntry> remaining = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry entry = entries.get(i);
            Map<String, Conflict> reasons = rejected.getOrDefault(i, Map.of());
            Map<String, Object> kept = new LinkedHashMap<>();
            for (Map.Entry<String, ?> value : entry.metrics().entrySet()) {
                Conflict reason = reasons.get(value.getKey());
                if (reason != null) {
                    boolean exists = reason.kind() == Conflict.Kind.ALREADY_EXISTS;
                    if (!exists || !(mayHaveLanded || storedAlready(value.getKey(), entry.step(), value.getValue()))) {
                        report(value.getKey(), entry.step(), 409, reason.text());
                    }
                }
                else {
                    kept.put(value.getKey(), value.getValue());
                }
            }
            if (!kept.isEmpty()) {
                remaining.add(new LogEntry(kept, entry.step()));
            }
        }
        return remaining.isEmpty() || sendEntries(remaining, false);
    }

    /**
     * Whether the server holds this very value: then an attempt we could not see stored
     * it (HTTP stacks may resend a request on a dropped connection by themselves).
     */
    private Boolean storedAlready(LogEntry value) {
        Map.Entry<String, ?> only = value.metrics().entrySet().iterator().next();
        try {
            client.getMetric(manifest.serverId(), only.getKey(), value.step());
            return true;
        }
        catch (DalvaNotFoundException e) {
            return false;
        }
        catch (DalvaException e) {
            return null;
        }
    }

    private boolean storedAlready(String path, Integer step, Object value) {
        try {
            return Values.sameValue(client.getMetric(manifest.serverId(), path, step).value(), value);
        }
        catch (DalvaException e) {
            return false;
        }
    }

    private record Attribution(int entry, String path, Conflict conflict) {
    }

    /**
     * Ties a batch conflict ({@code "Entry 3: Metric 'loss' already exists at step 5 …"})
     * to its value.
     */
    private static Attribution attribute(Conflict conflict, List<LogEntry> entries) {
        Integer index = conflict.entry();
        if (index == null || index >= entries.size() || conflict.path() == null
                || !entries.get(index).metrics().containsKey(conflict.path())) {
            return null;
        }
        return new Attribution(index, conflict.path(), conflict);
    }

    /**
     * Sends each entry alone, so that one bad entry cannot take the others down with it.
     */
    private boolean isolate(List<LogEntry> entries, DalvaException e, boolean mayHaveLanded) {
        if (entries.size() == 1) {
            return rejectEntries(entries, e);
        }
        for (LogEntry entry : entries) {
            if (!sendEntries(List.of(entry), mayHaveLanded)) {
                return false;
            }
        }
        return true;
    }

    private boolean rejectEntries(List<LogEntry> entries, DalvaException e) {
        if (entries.size() > 1 && !(e instanceof DalvaNotFoundException)) {
            return isolate(entries, e, false);
        }
        for (LogEntry entry : entries) {
            for (String path : entry.metrics().keySet()) {
                report(path, entry.step(), e.status(), reason(e));
            }
        }
        return true;
    }

    // --- config and finish -------------------------------------------------------------

    private boolean sendConfig(JournalEvent event) {
        Map<String, Object> config = new LinkedHashMap<>(event.config());
        for (int retry = 0; !config.isEmpty(); retry++) {
            try {
                client.logConfig(manifest.serverId(), config);
                return true;
            }
            catch (DalvaConflictException e) {
                // All or nothing, and the server names only the first key: compare with
                // what it holds.
                int before = config.size();
                try {
                    dropStoredKeys(config, client.getConfig(manifest.serverId()));
                }
                catch (DalvaException readFailure) {
                    if (!retryable(readFailure)) {
                        return rejectConfig(config, readFailure);
                    }
                    if (!sleepBeforeRetry(retry, "read the config", readFailure)) {
                        return false;
                    }
                    continue;
                }
                if (config.size() == before) {
                    return rejectConfig(config, e);
                }
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    return rejectConfig(config, e);
                }
                if (!sleepBeforeRetry(retry, "log config", e)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Removes the keys the server holds: with the same value they were delivered, else
     * they are reported.
     */
    private void dropStoredKeys(Map<String, Object> config, Map<String, Object> stored) {
        config.entrySet().removeIf(entry -> {
            if (!stored.containsKey(entry.getKey())) {
                return false;
            }
            Object held = stored.get(entry.getKey());
            if (!Values.sameValue(held, entry.getValue())) {
                report(entry.getKey(), null, 409,
                        "config key already exists with value " + held + " (logged: " + entry.getValue() + ")");
            }
            return true;
        });
    }

    private boolean rejectConfig(Map<String, Object> config, DalvaException e) {
        config.keySet().forEach(key -> report(key, null, e.status(), reason(e)));
        return true;
    }

    private boolean finishRun(JournalEvent event) {
        boolean failed = "failed".equals(event.string("state"));
        for (int retry = 0;; retry++) {
            try {
                if (failed) {
                    client.setState(manifest.serverId(), RunState.FAILED);
                }
                else {
                    client.finish(manifest.serverId());
                }
                return true;
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    report("(run state)", null, e.status(), reason(e));
                    return true;
                }
                if (!sleepBeforeRetry(retry, failed ? "mark the run failed" : "finish the run", e)) {
                    return false;
                }
            }
        }
    }

    // --- retries and reports
    // -------------------------------------------------------------

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

    private boolean sleepBeforeRetry(int retry, String what, DalvaException cause) {
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

    private void report(String path, Integer step, int status, String reason) {
        DeliveryFailure failure = new DeliveryFailure(runName(), path, step, status, reason);
        lastError = failure.toString();
        rejectLogger.log("Dalva rejected a value, not retried: " + failure);
        synchronized (progress) {
            failureCount++;
            if (failures.size() < MAX_KEPT_FAILURES) {
                failures.add(failure);
            }
        }
    }

    private void halt(String reason) {
        halted = reason;
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private static String reason(DalvaException e) {
        if (e instanceof DalvaConflictException conflict && !conflict.conflicts().isEmpty()) {
            return String.join("; ", conflict.conflicts().stream().map(Conflict::toString).toList());
        }
        return e.getMessage();
    }

    private String runName() {
        SpoolManifest current = manifest;
        return current.serverRunId() != null ? current.serverRunId() : current.localId();
    }

}
