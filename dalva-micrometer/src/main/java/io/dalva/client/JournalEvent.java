package io.dalva.client;

import java.util.Map;

/**
 * One line of a run journal, in the event format of Dalva's own journal
 * ({@code {"version":1,"seq":…,"timestamp":…,"type":…,"payload":{…}}}).
 */
record JournalEvent(long seq, String type, String timestamp, Map<String, Object> payload) {

    static final String RUN_CREATED = "run_created";
    static final String RUN_RESUMED = "run_resumed";
    static final String METRICS_LOGGED = "metrics_logged";
    static final String CONFIG_LOGGED = "config_logged";
    static final String RUN_FINISHED = "run_finished";

    @SuppressWarnings("unchecked")
    Map<String, Object> metrics() {
        Object metrics = payload.get("metrics");
        return metrics instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> config() {
        Object config = payload.get("config");
        return config instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** The step of a {@code metrics_logged} event, {@code null} for scalars. */
    Integer step() {
        Object step = payload.get("step");
        return step instanceof Number number ? number.intValue() : null;
    }

    String string(String key) {
        Object value = payload.get(key);
        return value == null ? null : value.toString();
    }
}
