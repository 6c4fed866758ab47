package io.dalva.internal.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One line of a run journal, in the event format of Dalva's own journal
 * ({@code {"version":1,"seq":…,"timestamp":…,"type":…,"payload":{…}}}). The payload stays
 * the bytes the journal holds until it is asked for as a map: {@link #payloadJson()}
 * hands them on unparsed.
 */
public final class JournalEvent {

    public static final String RUN_CREATED = "run_created";

    public static final String RUN_RESUMED = "run_resumed";

    public static final String METRICS_LOGGED = "metrics_logged";

    public static final String CONFIG_LOGGED = "config_logged";

    public static final String RUN_FINISHED = "run_finished";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long seq;

    private final String type;

    private final String timestamp;

    private final byte[] bytes;

    private final int payloadStart;

    private final int payloadEnd;

    private Map<String, Object> payload;

    JournalEvent(long seq, String type, String timestamp, byte[] bytes, int payloadStart, int payloadEnd,
            Map<String, Object> payload) {
        this.seq = seq;
        this.type = type;
        this.timestamp = timestamp;
        this.bytes = bytes;
        this.payloadStart = payloadStart;
        this.payloadEnd = payloadEnd;
        this.payload = payload;
    }

    public long seq() {
        return seq;
    }

    public String type() {
        return type;
    }

    public String timestamp() {
        return timestamp;
    }

    /** The payload object exactly as the journal holds it (UTF-8 JSON), read-only. */
    public ByteBuffer payloadJson() {
        return ByteBuffer.wrap(bytes, payloadStart, payloadEnd - payloadStart).slice().asReadOnlyBuffer();
    }

    /**
     * The bytes of the event's line, shared (never modify them): the payload object is at
     * {@link #payloadStart()} to {@link #payloadEnd()}. For a reader that copies the
     * payload on without a {@link ByteBuffer} in between.
     */
    public byte[] lineBytes() {
        return bytes;
    }

    public int payloadStart() {
        return payloadStart;
    }

    public int payloadEnd() {
        return payloadEnd;
    }

    /** The payload as maps, lists and scalars (parsed on first use). */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> payload() {
        if (payload == null) {
            try {
                Object parsed = MAPPER.readValue(bytes, payloadStart, payloadEnd - payloadStart, Object.class);
                payload = parsed instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
            }
            catch (IOException e) {
                payload = Map.of();
            }
        }
        return payload;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> metrics() {
        Object metrics = payload().get("metrics");
        return metrics instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> config() {
        Object config = payload().get("config");
        return config instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** The step of a {@code metrics_logged} event, {@code null} for scalars. */
    public Integer step() {
        Object step = payload().get("step");
        return step instanceof Number number ? number.intValue() : null;
    }

    public String string(String key) {
        Object value = payload().get(key);
        return value == null ? null : value.toString();
    }

    @Override
    public String toString() {
        return "JournalEvent[" + seq + " " + type + "]";
    }

}
