package io.dalva.internal.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A run folder's {@code manifest.json}, in the shape of Dalva's journal manifests
 * ({@code format_version, resource_type, run_id, project, name, state, created_at, updated_at})
 * plus what delivery needs: the server it goes to and the server's ids once the run
 * exists there, in fields of their own. {@code run_id} is always the local id
 * ({@code RUN-<millis>-<hex>}, as Dalva's SDK writes it), so Dalva's importer never
 * merges a spool into an unrelated run that happens to have the server's id; timestamps
 * are in the form Dalva's SDK writes.
 */
public record SpoolManifest(String localId, String project, String name, String state, String serverUrl, Long serverId,
        String serverRunId, String createdAt, String updatedAt) {

    public static final String FILE = "manifest.json";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final ObjectMapper COMPACT = new ObjectMapper();

    public static SpoolManifest create(String project, String name, String serverUrl) {
        String now = EventEncoder.TIMESTAMP.format(Instant.now());
        return new SpoolManifest(newLocalId(), project, name, "running", serverUrl, null, null, now, now);
    }

    /** A sortable, process-unique id like Dalva's own ({@code RUN-<millis>-<12 hex>}). */
    static String newLocalId() {
        return String.format("RUN-%013d-%012x", System.currentTimeMillis(),
                ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL);
    }

    public SpoolManifest withServerRun(long id, String runId, String runName) {
        return new SpoolManifest(localId, project, runName != null ? runName : name, state, serverUrl, id, runId,
                createdAt, EventEncoder.TIMESTAMP.format(Instant.now()));
    }

    public SpoolManifest withState(String newState) {
        return new SpoolManifest(localId, project, name, newState, serverUrl, serverId, serverRunId, createdAt,
                Instant.now().toString());
    }

    /**
     * The same local run, not yet created on {@code url}: the sender creates it there.
     */
    public SpoolManifest forNewRun(String url) {
        return new SpoolManifest(localId, project, name, state, url, null, null, createdAt,
                EventEncoder.TIMESTAMP.format(Instant.now()));
    }

    public boolean created() {
        return serverId != null;
    }

    /** Writes the manifest atomically (temporary file, fsync, rename). */
    public void write(Path runDir) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format_version", 1);
        json.put("resource_type", "run");
        json.put("run_id", localId);
        json.put("project", project);
        json.put("name", name);
        json.put("state", state);
        json.put("created_at", createdAt);
        json.put("updated_at", updatedAt);
        json.put("local_id", localId);
        json.put("server_url", serverUrl);
        json.put("server_id", serverId);
        json.put("server_run_id", serverRunId);
        json.put("crc", checksum(json));
        byte[] bytes = MAPPER.writeValueAsBytes(json);
        Path temporary = runDir.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temporary, runDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, runDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static SpoolManifest read(Path runDir) throws IOException {
        Map<String, Object> json = MAPPER.readValue(runDir.resolve(FILE).toFile(), LinkedHashMap.class);
        Object crc = json.remove("crc");
        if (crc != null && !crc.equals(checksum(json))) {
            throw new IOException("manifest " + runDir.resolve(FILE) + " is damaged (its checksum does not match)");
        }
        Object serverId = json.get("server_id");
        String localId = text(json, "local_id") != null ? text(json, "local_id") : text(json, "run_id");
        if (localId == null || text(json, "project") == null) {
            throw new IOException("manifest " + runDir.resolve(FILE) + " has no run_id or project");
        }
        return new SpoolManifest(localId, text(json, "project"), text(json, "name"), text(json, "state"),
                text(json, "server_url"), serverId instanceof Number number ? number.longValue() : null,
                text(json, "server_run_id"), text(json, "created_at"), text(json, "updated_at"));
    }

    /**
     * The CRC-32C of the manifest's other fields (compact JSON, in order): a damaged
     * manifest is refused rather than read as another server, project or run.
     */
    private static String checksum(Map<String, Object> json) throws IOException {
        byte[] bytes = COMPACT.writeValueAsBytes(json);
        return String.format("%08x", EventEncoder.crc(bytes, 0, bytes.length));
    }

    private static String text(Map<?, ?> json, String key) {
        Object value = json.get(key);
        return value == null ? null : value.toString();
    }
}
