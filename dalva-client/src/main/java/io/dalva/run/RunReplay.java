package io.dalva.run;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DalvaException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.DeliveryFailure;
import io.dalva.client.ProjectInfo;
import io.dalva.client.RunInfo;
import io.dalva.internal.delivery.DeliveryOptions;
import io.dalva.internal.delivery.RunSender;
import io.dalva.internal.journal.DamagedRange;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.JournalReader;
import io.dalva.internal.journal.JournalInUseException;
import io.dalva.internal.journal.JournalStorage;
import io.dalva.internal.journal.MissingRange;
import io.dalva.internal.journal.SpoolFolders;
import io.dalva.internal.journal.SpoolManifest;
import io.dalva.run.DalvaSpool.DamagedEvents;
import io.dalva.run.DalvaSpool.Outcome;
import io.dalva.run.DalvaSpool.RunResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The replay of one run folder for {@link DalvaSpool#replay}: reads its manifest, opens
 * (recovers) its journal under the folder's lock, checks that the server holds the run,
 * delivers what is left and counts exactly what arrived: damaged and missing events are
 * reported, never counted as delivered or left.
 */
final class RunReplay {

    /** How long the replay waits for the sender between two checks. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Path folder;

    private final String serverUrl;

    private final Duration timeout;

    private final boolean newRunOnMismatch;

    private final Consumer<String> progress;

    private final JournalStorage storage;

    private String name;

    RunReplay(Path folder, String serverUrl, Duration timeout, boolean newRunOnMismatch, Consumer<String> progress,
            JournalStorage storage) {
        this.folder = folder;
        this.serverUrl = serverUrl;
        this.timeout = timeout;
        this.newRunOnMismatch = newRunOnMismatch;
        this.progress = progress;
        this.storage = storage;
        this.name = folder.getFileName().toString();
    }

    RunResult run() {
        SpoolManifest manifest;
        try {
            manifest = SpoolManifest.read(folder);
        }
        catch (IOException | RuntimeException e) {
            return untouched(Outcome.UNREADABLE, "its manifest cannot be read (" + e.getMessage() + ")");
        }
        name = manifest.serverRunId() != null ? manifest.serverRunId() : manifest.localId();
        Journal journal;
        try {
            journal = Journal.open(folder, DeliveryOptions.DEFAULT.segmentBytes(), Long.MAX_VALUE,
                    DeliveryOptions.DEFAULT.syncInterval(), storage);
        }
        catch (JournalInUseException e) {
            return untouched(Outcome.IN_USE, "a live process holds it");
        }
        catch (IOException | RuntimeException e) {
            return untouched(Outcome.UNREADABLE, "its journal cannot be opened (" + e.getMessage() + ")");
        }
        try {
            // read again under the lock: another replay may have delivered it since
            manifest = SpoolManifest.read(folder);
        }
        catch (IOException | RuntimeException e) {
            return gone(journal, e);
        }
        try {
            return deliver(manifest, journal);
        }
        finally {
            journal.close();
        }
    }

    private RunResult deliver(SpoolManifest manifest, Journal journal) {
        for (String note : journal.notes()) {
            progress.accept(name + ": " + note);
        }
        for (DamagedRange range : journal.damaged()) {
            progress.accept(name + ": damaged, not sent: " + range);
        }
        for (MissingRange range : journal.missing()) {
            progress.accept(name + ": missing from the journal: " + range);
        }
        String url = serverUrl != null ? serverUrl : manifest.serverUrl();
        try (DalvaClient client = DalvaClient.builder().serverUrl(url).build()) {
            if (manifest.created()) {
                String mismatch;
                try {
                    mismatch = mismatch(client, manifest, url);
                }
                catch (DalvaException e) {
                    return unsent(journal, Outcome.INCOMPLETE,
                            "cannot check the run on " + url + " (" + e.getMessage() + ")");
                }
                if (mismatch != null && !newRunOnMismatch) {
                    return unsent(journal, Outcome.REFUSED,
                            "not sent: " + mismatch + "; replay with a new run to send it there anyway");
                }
                if (mismatch != null) {
                    progress.accept(name + ": " + mismatch + ": a new run is created on " + url
                            + " for the events the spool still holds (from seq " + (journal.deliveredSeq() + 1) + ")");
                    manifest = manifest.forNewRun(url);
                }
            }
            return send(client, manifest, journal, url);
        }
    }

    private RunResult send(DalvaClient client, SpoolManifest manifest, Journal journal, String url) {
        long start = journal.deliveredSeq();
        if (unfinished(manifest, journal)) {
            journal.appendRunFinished("failed");
            progress.accept(name + ": its process ended without finishing the run; it will be marked failed");
        }
        long last = readableUpTo(journal);
        long toDeliver = held(journal, start, last);
        progress
            .accept(name + " (project " + manifest.project() + "): " + toDeliver + " event(s) to deliver to " + url);
        RunSender sender = new RunSender(client, journal, manifest, DeliveryOptions.DEFAULT,
                init -> DalvaRun.openRun(client, init))
            .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        // acknowledgements stop before missing events: past them, what the sender
        // reports done counts
        long acknowledgeable = Math.min(last,
                journal.missing().stream().mapToLong(MissingRange::firstSeq).map(seq -> seq - 1).min().orElse(last));
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!sender.awaitDelivered(acknowledgeable, Math.min(WAIT_SLICE_NANOS, deadline - System.nanoTime()))
                || journal.doneSeq() < last) {
            if (System.nanoTime() >= deadline || sender.halted() != null) {
                break;
            }
            if (journal.doneSeq() < last && journal.deliveredSeq() >= acknowledgeable) {
                LockSupport.parkNanos(WAIT_SLICE_NANOS);
            }
            if (System.nanoTime() - nextReport >= 0) {
                progress.accept(name + ": " + held(journal, start, journal.doneSeq()) + " of " + toDeliver
                        + " event(s) delivered");
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
        }
        sender.stop(TimeUnit.SECONDS.toNanos(1));
        DalvaDeliveryException rejected = sender.takeFailures();
        List<DeliveryFailure> failures = rejected == null ? List.of() : rejected.failures();
        if (sender.manifest().serverRunId() != null) {
            name = sender.manifest().serverRunId();
        }
        long done = journal.doneSeq();
        long delivered = held(journal, start, done);
        long left = held(journal, done, last);
        long damaged = damagedEvents(journal);
        long missing = missingEvents(journal);
        boolean complete = done >= last && journal.storageProblem() == null;
        String detail = null;
        if (!complete && left > 0) {
            detail = left + " event(s) not delivered ("
                    + (sender.halted() != null ? sender.halted() : "server unreachable or too slow") + ")";
        }
        else if (journal.storageProblem() != null) {
            detail = "the spool's storage fails (" + journal.storageProblem() + "): nothing deleted";
        }
        else if (damaged > 0 || missing > 0) {
            detail = "delivered what the journal holds; " + damaged + " damaged and " + missing
                    + " missing event(s) were not; the damaged bytes stay in " + folder.resolve("damaged");
        }
        else if (!failures.isEmpty()) {
            detail = failures.size() + " value(s) rejected: " + failures.get(0);
        }
        if (complete) {
            journal.delete();
        }
        Outcome outcome = !complete ? Outcome.INCOMPLETE
                : damaged > 0 || missing > 0 ? Outcome.DAMAGED : Outcome.DELIVERED;
        RunResult result = new RunResult(folder, name, outcome, delivered, left, damaged, damage(journal), missing,
                failures, detail);
        progress.accept(name + ": " + (result.fullyDelivered() ? "done, " + delivered + " event(s) delivered"
                : delivered + " event(s) delivered; " + detail + (complete ? "" : "; the rest stays in " + folder)));
        return result;
    }

    /**
     * The folder lost its manifest between the listing and the lock: another process
     * delivered it and deleted it (what the open re-created goes too), or someone took
     * the manifest away (the events stay).
     */
    private RunResult gone(Journal journal, Exception e) {
        String detail = "its manifest is gone (" + e.getMessage() + "): another process replayed it meanwhile";
        if (journal.lastSeq() == 0 && journal.damaged().isEmpty()) {
            journal.delete();
        }
        else {
            journal.close();
        }
        progress.accept(name + ": skipped, " + detail + "; nothing sent");
        return new RunResult(folder, name, Outcome.IN_USE, 0, 0, 0, List.of(), 0, List.of(), detail);
    }

    /** A result for a folder of which nothing was sent. */
    private RunResult unsent(Journal journal, Outcome outcome, String detail) {
        long left = Math.max(1, held(journal, journal.deliveredSeq(), journal.lastSeq()));
        progress.accept(name + ": " + detail + "; " + left + " event(s) stay in " + folder);
        return new RunResult(folder, name, outcome, 0, left, damagedEvents(journal), damage(journal),
                missingEvents(journal), List.of(), detail);
    }

    private RunResult untouched(Outcome outcome, String detail) {
        progress.accept(name + ": skipped, " + detail + "; nothing sent, nothing deleted");
        return new RunResult(folder, name, outcome, 0, Math.max(1, SpoolFolders.countEventLines(folder)), 0, List.of(),
                0, List.of(), detail);
    }

    /**
     * The last seq delivery can reach: the journal's last, unless damaged events end it
     * (no readable event after them is ever acknowledged).
     */
    private static long readableUpTo(Journal journal) {
        long last = journal.lastSeq();
        boolean moved = true;
        while (moved) {
            moved = false;
            for (DamagedRange range : journal.damaged()) {
                if (range.events() > 0 && range.firstSeq() <= last && range.lastSeq() >= last) {
                    last = range.firstSeq() - 1;
                    moved = true;
                }
            }
        }
        return Math.max(last, journal.deliveredSeq());
    }

    /**
     * Events the journal holds in the seqs {@code (after, upTo]}: damaged and missing
     * ones are not held.
     */
    private static long held(Journal journal, long after, long upTo) {
        long count = Math.max(0, upTo - after);
        for (DamagedRange range : journal.damaged()) {
            if (range.events() > 0) {
                count -= overlap(range.firstSeq(), range.lastSeq(), after, upTo);
            }
        }
        for (MissingRange range : journal.missing()) {
            count -= overlap(range.firstSeq(), range.lastSeq(), after, upTo);
        }
        return Math.max(0, count);
    }

    /** How many seqs of {@code [first, last]} are in {@code (after, upTo]}. */
    private static long overlap(long first, long last, long after, long upTo) {
        return Math.max(0, Math.min(last, upTo) - Math.max(first, after + 1) + 1);
    }

    private static long damagedEvents(Journal journal) {
        return journal.damaged().stream().mapToLong(DamagedRange::events).sum();
    }

    private static long missingEvents(Journal journal) {
        return journal.missing().stream().mapToLong(MissingRange::events).sum();
    }

    private static List<DamagedEvents> damage(Journal journal) {
        return journal.damaged().stream().map(DamagedEvents::of).toList();
    }

    /**
     * Why the server at {@code url} does not hold the manifest's run, or {@code null}
     * when it does.
     */
    private static String mismatch(DalvaClient client, SpoolManifest manifest, String url) {
        String logged = manifest.serverRunId() + " (id " + manifest.serverId() + ", project " + manifest.project()
                + ")";
        if (!sameUrl(url, manifest.serverUrl())) {
            return "run " + logged + " was logged to " + manifest.serverUrl() + ", not " + url;
        }
        RunInfo run;
        try {
            run = client.getRun(manifest.serverId());
        }
        catch (DalvaNotFoundException e) {
            return "run " + logged + " no longer exists on " + url;
        }
        String project = client.listProjects()
            .stream()
            .filter(candidate -> candidate.id() == run.projectId())
            .map(ProjectInfo::name)
            .findFirst()
            .orElse(null);
        if (!run.runId().equals(manifest.serverRunId()) || !manifest.project().equals(project)) {
            return "run " + logged + " is not on " + url + ": id " + manifest.serverId() + " is run " + run.runId()
                    + " of project " + project + " there";
        }
        return null;
    }

    private static boolean sameUrl(String a, String b) {
        return a != null && b != null && strip(a).equalsIgnoreCase(strip(b));
    }

    private static String strip(String url) {
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    /**
     * Whether the run is still "running" and its journal does not end with its finish
     * (the process died).
     */
    private static boolean unfinished(SpoolManifest manifest, Journal journal) {
        JournalEvent last = null;
        try (JournalReader reader = journal.reader(journal.deliveredSeq())) {
            for (JournalEvent event = reader.next(); event != null; event = reader.next()) {
                last = event;
            }
        }
        return "running".equals(manifest.state()) && (last == null || !JournalEvent.RUN_FINISHED.equals(last.type()));
    }

}
