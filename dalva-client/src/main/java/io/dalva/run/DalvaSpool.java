package io.dalva.run;

import io.dalva.client.DeliveryFailure;
import io.dalva.internal.delivery.DeliveryOptions;
import io.dalva.internal.journal.DamagedRange;
import io.dalva.internal.journal.JournalStorage;
import io.dalva.internal.journal.SpoolFolders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Delivers what runs left in a spool folder: data a process could not deliver before it
 * ended (server down, shutdown timeout) or before it was killed. Each run folder is
 * replayed in seq order from where the server's acknowledgements stopped; values a killed
 * process delivered without recording it are recognised (the server answers "already
 * exists") and not stored twice. A run whose process ended without finishing it is marked
 * failed.
 *
 * <p>
 * A spooled run belongs to its server: before writing, the replay checks that the run the
 * manifest names (server URL, database id, run id, project) is the one the server holds
 * under that id. When it is not (another server, or the same URL after its database was
 * reset), nothing is written unless {@code newRunOnMismatch} is set: then a new run is
 * created there for the events the spool still holds, and the progress says so.
 *
 * <p>
 * Nothing undelivered is ever deleted: a folder still in use by a live run is skipped (a
 * run of this JVM too: its lock stays with it), damaged bytes stay under
 * {@code damaged/}, a folder whose storage fails (a full disk) is left as it is. A fully
 * delivered folder is deleted.
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

    /** What happened to one run folder. */
    public enum Outcome {

        /** Every event was delivered; the folder is deleted. */
        DELIVERED,
        /**
         * Every event the journal could read was delivered, but some are damaged (their
         * bytes stay under {@code damaged/}, with the manifest, never sent) or missing:
         * they are not delivered, and a later replay cannot deliver them.
         */
        DAMAGED,
        /**
         * Some events are left (server unreachable or too slow, values rejected, damage,
         * missing events, a storage failure); the folder stays.
         */
        INCOMPLETE,
        /**
         * A live process holds the folder (or delivered it while this replay waited for
         * it): not touched.
         */
        IN_USE,
        /**
         * The server does not hold the run the manifest names: nothing was written.
         */
        REFUSED,
        /** The folder cannot be read (a damaged manifest): nothing was written. */
        UNREADABLE

    }

    /**
     * What one replay did to one run folder.
     *
     * @param folder the run folder
     * @param run the run's server id (such as {@code DEM-7}) or local id
     * @param outcome what happened
     * @param delivered events delivered (and acknowledged)
     * @param left events still in the folder
     * @param damaged events whose bytes are damaged (kept under {@code damaged/}), never
     * counted as delivered or left
     * @param damage where the damaged events are: file, seq range, count
     * @param missing events neither held nor kept as damaged bytes
     * @param failures values the server rejected for good
     * @param detail why the run is not fully delivered, or {@code null}
     */
    public record RunResult(Path folder, String run, Outcome outcome, long delivered, long left, long damaged,
            List<DamagedEvents> damage, long missing, List<DeliveryFailure> failures, String detail) {

        public RunResult {
            damage = List.copyOf(damage);
            failures = List.copyOf(failures);
        }

        /** Nothing left, nothing damaged, missing or rejected. */
        public boolean fullyDelivered() {
            return outcome == Outcome.DELIVERED && left == 0 && damaged == 0 && missing == 0 && failures.isEmpty();
        }

    }

    /**
     * Events of a run folder whose bytes are damaged: never sent, never counted as
     * delivered, kept.
     *
     * @param file the segment file the bytes came from
     * @param firstSeq the first sequence number they stand for (0 when unknown)
     * @param lastSeq the last one ({@code firstSeq - 1} when they stand for no whole
     * event)
     * @param events how many events they stand for
     * @param bytes how many bytes
     * @param keptIn where the bytes are now, or {@code null} when they could not be moved
     * (they are then skipped where they are)
     */
    public record DamagedEvents(String file, long firstSeq, long lastSeq, long events, long bytes, Path keptIn) {

        static DamagedEvents of(DamagedRange range) {
            return new DamagedEvents(range.file(), range.firstSeq(), range.lastSeq(), range.events(), range.bytes(),
                    range.kept() == null ? null : Path.of(range.kept()));
        }

        @Override
        public String toString() {
            return file + ": " + (events == 0 ? "no whole event" : "seq " + firstSeq + ".." + lastSeq) + " (" + events
                    + " event(s), " + bytes + " bytes" + (keptIn != null ? ", kept in " + keptIn : ", left in place")
                    + ")";
        }

    }

    /**
     * What one replay did.
     *
     * @param results one per run folder found
     */
    public record Result(List<RunResult> results) {

        public Result {
            results = List.copyOf(results);
        }

        /** Run folders found. */
        public int runs() {
            return results.size();
        }

        /** Runs whose every event is now delivered. */
        public int completed() {
            return (int) results.stream().filter(RunResult::fullyDelivered).count();
        }

        public long delivered() {
            return results.stream().mapToLong(RunResult::delivered).sum();
        }

        /** Events still in the spool (for every folder not fully delivered). */
        public long remaining() {
            return results.stream().mapToLong(RunResult::left).sum();
        }

        public long damaged() {
            return results.stream().mapToLong(RunResult::damaged).sum();
        }

        /** Folders a live process holds. */
        public int skipped() {
            return (int) results.stream().filter(result -> result.outcome() == Outcome.IN_USE).count();
        }

        /** Values the server rejected for good. */
        public List<DeliveryFailure> failures() {
            return results.stream().flatMap(result -> result.failures().stream()).toList();
        }

        /**
         * Whether every run was fully delivered: the replay command exits 0 only then.
         */
        public boolean allDelivered() {
            return results.stream().allMatch(RunResult::fullyDelivered);
        }

    }

    /**
     * Replays every run folder in {@code dir} (a spool folder or one run folder),
     * refusing to write a run into a server that does not hold it.
     * @param dir the spool folder, or a single run folder
     * @param serverUrl the server to deliver to, or {@code null} for the one each run was
     * logged to
     * @param timeout the most to spend on each run
     * @param progress receives one line per run and about one per second while delivering
     */
    public static Result replay(Path dir, String serverUrl, Duration timeout, Consumer<String> progress) {
        return replay(dir, serverUrl, timeout, false, progress);
    }

    /**
     * Like {@link #replay(Path, String, Duration, Consumer)}; with
     * {@code newRunOnMismatch}, a run the server does not hold is created anew there
     * (holding the events the spool still has) instead of being refused.
     */
    public static Result replay(Path dir, String serverUrl, Duration timeout, boolean newRunOnMismatch,
            Consumer<String> progress) {
        return replay(dir, serverUrl, timeout, newRunOnMismatch, progress, JournalStorage.DEFAULT);
    }

    static Result replay(Path dir, String serverUrl, Duration timeout, boolean newRunOnMismatch,
            Consumer<String> progress, JournalStorage storage) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progress, "progress");
        List<RunResult> results = new ArrayList<>();
        for (Path folder : SpoolFolders.runFolders(dir)) {
            RunResult result = new RunReplay(folder, serverUrl, timeout, newRunOnMismatch, progress, storage).run();
            results.add(result);
        }
        return new Result(results);
    }

}
