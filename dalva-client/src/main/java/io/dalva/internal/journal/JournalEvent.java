package io.dalva.internal.journal;

import java.util.Map;

/**
 * One line of a run journal, in the event format of Dalva's own journal
 * ({@code {"version":1,"seq":…,"timestamp":…,"type":…,"payload":{…}}}).
 */
public record JournalEvent(long seq, String type, String timestamp, Map<String, Object> payload) {

    public static final String RUN_CREATED = "run_created";

    public static final String RUN_RESUMED = "run_resumed";

    public static final String METRICS_LOGGED = "metrics_logged";

    public static final String CONFIG_LOGGED = "config_logged";

    public static final String RUN_FINISHED = "run_finished";

    @SuppressWarnings("unchecked")
    public Map<String, Object> metrics() {
        Object metrics = payload.get("metrics");
        return metrics instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> config() {
        Object config = payload.get("config");
        return config instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** The step of a {@code metrics_logged} event, {@code null} for scalars. */
    public Integer step() {
        Object step = payload.get("step");
        return step instanceof Number number ? number.intValue() : null;
    }

    public String string(String key) {
        Object value = payload.get(key);
        return value == null ? null : value.toString();
    }
}
