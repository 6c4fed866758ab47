package io.dalva.internal.delivery;

import static io.dalva.internal.delivery.SenderState.reason;
import static io.dalva.internal.delivery.SenderState.retryable;

import io.dalva.client.Conflict;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.DalvaUnreachableException;
import io.dalva.client.LogEntry;
import io.dalva.client.internal.Values;
import io.dalva.internal.journal.JournalReader;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the metric events at the head of a run's journal: batched through
 * {@link io.dalva.client.DalvaClient#logBatch} and sized to the server, looked up before
 * it is sent again when an earlier attempt may still be in the server's hands, and split
 * around the values the server rejects (reported, the rest sent again).
 */
final class MetricsSender {

    /**
     * The least time given to the server to finish storing a request it may still hold
     * before the request is sent again (sooner when its last value shows up).
     */
    static final long MIN_SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final SenderState state;

    private final MetricsBatch batch;

    private final BatchSizer sizer;

    private final long replayedUpTo;

    /**
     * @param replayedUpTo the last event written by an earlier process: those up to it
     * may have been stored already
     */
    MetricsSender(SenderState state, long replayedUpTo) {
        this.state = state;
        this.batch = new MetricsBatch((path, step, reason) -> state.report(path, step, 0, reason));
        this.sizer = new BatchSizer(state.options().targetRequestTime(), state.options().maxBatchValues());
        this.replayedUpTo = replayedUpTo;
    }

    /**
     * Sends the metric events at the head of the journal as one batch sized to the
     * server; false only when the sender stops first.
     */
    boolean send(JournalReader reader) {
        batch.fill(reader, sizer.budget());
        return !batch.hasValues() || sendBatch();
    }

    /**
     * The last event the sent batch completed, or a negative number when the batch was a
     * part of a big event (acknowledged with its last part).
     */
    long completeSeq() {
        return batch.completeSeq();
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
        boolean attemptTimedOut = false;
        long timedOutAttemptStarted = 0;
        boolean lookFirst = false;
        long settleDeadline = System.nanoTime();
        MetricsBatch.Point last = null;
        for (int retry = 0;; retry++) {
            if (lookFirst) {
                last = last != null ? last : batch.lastValue();
                Boolean stored = isStored(last);
                if (Boolean.TRUE.equals(stored)) {
                    return true;
                }
                if (stored == null || System.nanoTime() - settleDeadline < 0) {
                    if (!state.sleepBeforeRetry(retry, "see whether the server stored the " + batch.values()
                            + " value(s) of a request it may still be writing", null)) {
                        return false;
                    }
                    continue;
                }
                lookFirst = false; // not stored, and the server had its time: lost
            }
            long started = System.nanoTime();
            try {
                state.client()
                    .logBatch(state.manifest().serverId(), batch.body(), batch.length(),
                            sizer.expected(batch.values()));
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
                    if (!attemptTimedOut) {
                        attemptTimedOut = true;
                        timedOutAttemptStarted = started;
                    }
                }
                else if (attemptTimedOut && e.status() == 500) {
                    // the server is busy with a write to the run, likely the attempt that
                    // timed out: look again, as long again as it has been writing
                    settleDeadline = now + Math.max(MIN_SETTLE_NANOS, now - timedOutAttemptStarted);
                    lookFirst = true;
                }
                else if (e instanceof DalvaUnreachableException && !(e.getCause() instanceof ConnectException)) {
                    // the connection broke after the request went out: look once, then
                    // send
                    lookFirst = true;
                    settleDeadline = now;
                }
                if (!state.sleepBeforeRetry(retry, "log " + batch.values() + " value(s)", e)) {
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
                state.client().logBatch(state.manifest().serverId(), entries);
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
                if (!state.sleepBeforeRetry(retry, "log " + entries.size() + " step(s)", e)) {
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
                        state.report(value.getKey(), entry.step(), 409, reason.text());
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
     * Whether the server holds a value at {@code point}; {@code null} when it cannot be
     * asked now.
     */
    private Boolean isStored(MetricsBatch.Point point) {
        try {
            state.client().getMetric(state.manifest().serverId(), point.path(), point.step());
            return true;
        }
        catch (DalvaNotFoundException e) {
            return false;
        }
        catch (DalvaException e) {
            return null;
        }
    }

    /**
     * Whether the server holds this very value: then an attempt we could not see stored
     * it (HTTP stacks may resend a request on a dropped connection by themselves).
     */
    private boolean storedAlready(String path, Integer step, Object value) {
        try {
            return Values.sameValue(state.client().getMetric(state.manifest().serverId(), path, step).value(), value);
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
                state.report(path, entry.step(), e.status(), reason(e));
            }
        }
        return true;
    }

}
