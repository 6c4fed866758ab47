package io.dalva.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.internal.journal.FolderLock;
import io.dalva.internal.journal.SpoolFolders;
import io.dalva.internal.journal.SpoolManifest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * What one run folder of a spool holds and whether a live process holds it, read without
 * changing anything: the manifest, the delivered marker and the event lines are only
 * read, and the folder's lock is probed ({@link FolderLock#isHeld}): a folder a run of
 * this JVM holds is reported held without its lock file being opened (closing a second
 * handle on it would drop the run's lock), any other folder's lock file with a shared
 * lock released at once (a live run holds it exclusively). Safe to call from a process
 * that runs the spool's runs itself.
 *
 * @param folder the run folder
 * @param project the run's project
 * @param localId the run's local id (also the folder's name)
 * @param serverRunId the server's run id (such as {@code DEM-7}), or {@code null} when
 * the run is not created on the server yet
 * @param serverUrl the server the run was logged to
 * @param events journal events not delivered yet
 * @param values metric values in those events (one per path and step)
 * @param held whether a live process holds the folder (its run is still running)
 * @param problem why the folder could not be read in full, or damaged bytes it keeps
 * (never sent), or {@code null}
 */
public record SpoolStatus(Path folder, String project, String localId, String serverRunId, String serverUrl,
        long events, long values, boolean held, String problem) {

    // The journal's on-disk names (see io.dalva.internal.journal.Journal).
    private static final String EVENTS = "events";

    private static final String DELIVERED = "delivered";

    private static final String DAMAGED = "damaged";

    private static final Pattern MARKER = Pattern.compile("\\d{20} [0-9a-f]{8}\n");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public SpoolStatus {
        Objects.requireNonNull(folder, "folder");
    }

    /**
     * The status of every run folder in {@code dir} (a spool folder or one run folder),
     * in folder order; an empty list when there are none.
     */
    public static List<SpoolStatus> list(Path dir) {
        Objects.requireNonNull(dir, "dir");
        List<SpoolStatus> statuses = new ArrayList<>();
        for (Path folder : SpoolFolders.runFolders(dir)) {
            statuses.add(read(folder));
        }
        return List.copyOf(statuses);
    }

    private static SpoolStatus read(Path folder) {
        boolean held;
        try {
            held = FolderLock.isHeld(folder);
        }
        catch (IOException e) {
            return unreadable(folder, "cannot probe its lock: " + firstLine(e));
        }
        SpoolManifest manifest;
        try {
            manifest = SpoolManifest.read(folder);
        }
        catch (IOException | RuntimeException e) {
            return new SpoolStatus(folder, null, folder.getFileName().toString(), null, null, 0, 0, held,
                    "unreadable manifest: " + firstLine(e));
        }
        Counts counts = new Counts();
        List<String> problems = new ArrayList<>();
        try {
            counts.count(folder);
            if (counts.unreadableLines > 0) {
                problems.add(counts.unreadableLines + " unreadable event line(s)");
            }
            long damaged = damagedFiles(folder.resolve(DAMAGED));
            if (damaged > 0) {
                problems.add(damaged + " file(s) of damaged bytes kept in " + DAMAGED + "/");
            }
        }
        catch (IOException | RuntimeException e) {
            problems.add("cannot read its events: " + firstLine(e));
        }
        return new SpoolStatus(folder, manifest.project(), manifest.localId(), manifest.serverRunId(),
                manifest.serverUrl(), counts.events.cardinality(), counts.values, held,
                problems.isEmpty() ? null : String.join("; ", problems));
    }

    /**
     * The files of damaged bytes the journal keeps (never sent, never deleted); files
     * named {@code incomplete.*} hold events whose {@code log()} never returned and are
     * not counted.
     */
    private static long damagedFiles(Path damaged) throws IOException {
        if (!Files.isDirectory(damaged)) {
            return 0;
        }
        long count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(damaged)) {
            for (Path file : files) {
                count += file.getFileName().toString().startsWith("incomplete.") ? 0 : 1;
            }
        }
        return count;
    }

    /** The first line of the exception's message (Jackson's run over several). */
    private static String firstLine(Exception e) {
        String message = (e.getMessage() != null) ? e.getMessage() : e.toString();
        return message.lines().findFirst().orElse(message);
    }

    private static SpoolStatus unreadable(Path folder, String problem) {
        return new SpoolStatus(folder, null, folder.getFileName().toString(), null, null, 0, 0, false, problem);
    }

    /**
     * The undelivered events (a set of sequence numbers: a repeated line counts once).
     */
    private static final class Counts {

        private final BitSet events = new BitSet();

        private long values;

        private long unreadableLines;

        private long delivered;

        void count(Path folder) throws IOException {
            delivered = delivered(folder.resolve(DELIVERED));
            Path eventsDir = folder.resolve(EVENTS);
            if (!Files.isDirectory(eventsDir)) {
                return;
            }
            // sealed segments, and those a killed process left unsealed (padded with
            // zeros)
            try (DirectoryStream<Path> files = Files.newDirectoryStream(eventsDir, "{*.jsonl,.active-*.open}")) {
                for (Path file : files) {
                    countFile(file);
                }
            }
        }

        /**
         * The last delivered sequence number, 0 when absent or unreadable (the journal
         * then sends everything again). The marker is either
         * {@code <20 digits> <crc32c of the digits, 8 hex>\n} or, from earlier versions,
         * an 8-byte big-endian number.
         */
        private static long delivered(Path file) throws IOException {
            if (!Files.exists(file)) {
                return 0;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == Long.BYTES) {
                return Math.max(0, ByteBuffer.wrap(bytes).getLong());
            }
            String text = new String(bytes, StandardCharsets.US_ASCII);
            if (!MARKER.matcher(text).matches()) {
                return 0;
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, 20);
            return (crc.getValue() == Long.parseLong(text.substring(21, 29), 16))
                    ? Long.parseLong(text.substring(0, 20)) : 0;
        }

        /** Reads one segment's lines up to its end or its first NUL byte (padding). */
        private void countFile(Path file) throws IOException {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                for (int b = in.read(); b > 0; b = in.read()) {
                    if (b == '\n') {
                        countLine(line.toByteArray());
                        line.reset();
                    }
                    else {
                        line.write(b);
                    }
                }
                if (line.size() > 0) {
                    unreadableLines++; // a torn last line
                }
            }
        }

        private void countLine(byte[] bytes) {
            JsonNode event;
            try {
                event = MAPPER.readTree(bytes);
            }
            catch (IOException e) {
                unreadableLines++;
                return;
            }
            JsonNode seq = (event != null) ? event.get("seq") : null;
            if (seq == null || !seq.canConvertToLong()) {
                unreadableLines++;
                return;
            }
            long offset = seq.asLong() - delivered - 1;
            if (offset < 0 || offset >= Integer.MAX_VALUE || events.get((int) offset)) {
                return;
            }
            events.set((int) offset);
            if ("metrics_logged".equals(event.path("type").asText())) {
                values += event.path("payload").path("metrics").size();
            }
        }

    }

}
