package io.dalva.run;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DeliveryFailure;
import io.dalva.internal.delivery.DeliveryOptions;
import io.dalva.internal.delivery.RunSender;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.SpoolFolders;
import io.dalva.internal.journal.SpoolManifest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Delivers what runs left in a spool folder: data a process could not deliver before it
 * ended (server down, shutdown timeout) or before it was killed. Each run folder is
 * replayed in order, from where the server's acknowledgements stopped; values a killed
 * process delivered without recording it are recognised (the server answers "already
 * exists") and not stored twice. A folder still in use by a live run is skipped. A run
 * whose process ended without finishing it is marked failed. Fully delivered folders are
 * deleted.
 *
 * <p>
 * From the command line: {@code java -jar dalva.jar replay DIR [--server-url URL]}.
 */
public final class DalvaSpool {

    /**
     * The default spool folder: {@code ~/.dalva/java-spool}, or the system property
     * {@code dalva.spool.directory}.
     */
    public static final Path DEFAULT_DIRECTORY = DeliveryOptions.DEFAULT_SPOOL_DIRECTORY;

    private DalvaSpool() {
    }

    /**
     * What one replay did.
     *
     * @param runs run folders found
     * @param completed runs whose every event is now delivered (their folders are
     * deleted)
     * @param delivered events delivered
     * @param remaining events still in the spool (server unreachable, timeout, folder in
     * use)
     * @param failures values the server rejected for good
     */
    public record Result(int runs, int completed, long delivered, long remaining, List<DeliveryFailure> failures) {
    }

    /**
     * Replays every run folder in {@code dir} (a spool folder or one run folder).
     * @param dir the spool folder, or a single run folder
     * @param serverUrl the server to deliver to, or {@code null} for the one each run was
     * logged to
     * @param timeout the most to spend on each run
     * @param progress receives one line per run and about one per second while delivering
     */
    public static Result replay(Path dir, String serverUrl, Duration timeout, Consumer<String> progress) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progress, "progress");
        List<Path> folders = SpoolFolders.runFolders(dir);
        int completed = 0;
        long delivered = 0;
        long remaining = 0;
        List<DeliveryFailure> failures = new ArrayList<>();
        for (Path folder : folders) {
            RunReplay replay = replayRun(folder, serverUrl, timeout, progress);
            completed += replay.remaining == 0 ? 1 : 0;
            delivered += replay.delivered;
            remaining += replay.remaining;
            failures.addAll(replay.failures);
        }
        return new Result(folders.size(), completed, delivered, remaining, List.copyOf(failures));
    }

    private record RunReplay(long delivered, long remaining, List<DeliveryFailure> failures) {
    }

    private static RunReplay replayRun(Path folder, String serverUrl, Duration timeout, Consumer<String> progress) {
        SpoolManifest manifest;
        Journal journal;
        try {
            manifest = SpoolManifest.read(folder);
            journal = Journal.open(folder, DeliveryOptions.DEFAULT.segmentBytes(), Long.MAX_VALUE);
        }
        catch (IOException | RuntimeException e) {
            progress.accept(folder.getFileName() + ": skipped (" + e.getMessage() + ")");
            return new RunReplay(0, 0, List.of());
        }
        String name = manifest.serverRunId() != null ? manifest.serverRunId() : manifest.localId();
        long start = journal.deliveredSeq();
        long last = journal.lastSeq();
        if (unfinished(manifest, journal)) {
            journal.appendRunFinished("failed");
            last = journal.lastSeq();
            progress.accept(name + ": its process ended without finishing the run; it will be marked failed");
        }
        String url = serverUrl != null ? serverUrl : manifest.serverUrl();
        progress.accept(
                name + " (project " + manifest.project() + "): " + (last - start) + " event(s) to deliver to " + url);
        DeliveryOptions options = DeliveryOptions.DEFAULT;
        try (DalvaClient client = DalvaClient.builder().serverUrl(url).build()) {
            RunSender sender = new RunSender(client, journal, manifest, options, init -> DalvaRun.openRun(client, init))
                .start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!sender.awaitDelivered(last, Math.min(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime()))) {
                if (System.nanoTime() >= deadline || sender.halted() != null) {
                    break;
                }
                progress.accept(name + ": " + (journal.deliveredSeq() - start) + " of " + (last - start)
                        + " event(s) delivered");
            }
            sender.stop(TimeUnit.SECONDS.toNanos(1));
            DalvaDeliveryException rejected = sender.takeFailures();
            List<DeliveryFailure> failures = rejected == null ? List.of() : rejected.failures();
            long delivered = journal.deliveredSeq() - start;
            long remaining = last - journal.deliveredSeq();
            String runName = sender.manifest().serverRunId() != null ? sender.manifest().serverRunId() : name;
            if (remaining == 0) {
                journal.delete();
                progress.accept(runName + ": done, " + delivered + " event(s) delivered" + (failures.isEmpty() ? ""
                        : ", " + rejected.total() + " value(s) rejected: " + failures.get(0)));
            }
            else {
                journal.close();
                progress.accept(runName + ": " + remaining + " event(s) not delivered ("
                        + (sender.halted() != null ? sender.halted() : "server unreachable or too slow")
                        + "); they stay in " + folder);
            }
            return new RunReplay(delivered, remaining, failures);
        }
    }

    /**
     * Whether the run is still "running" and its journal does not end with its finish
     * (the process died).
     */
    private static boolean unfinished(SpoolManifest manifest, Journal journal) {
        JournalEvent last = null;
        Journal.Reader reader = journal.reader(journal.deliveredSeq());
        for (JournalEvent event = reader.next(); event != null; event = reader.next()) {
            last = event;
        }
        return "running".equals(manifest.state()) && (last == null || !JournalEvent.RUN_FINISHED.equals(last.type()));
    }

}
