package io.dalva.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the server's JSON answers into the client's records. A missing required field is
 * an {@link IllegalStateException}, which the client reports as an unexpected answer.
 */
final class JsonResponses {

    private JsonResponses() {
    }

    static RunHandle runHandle(JsonNode node) {
        return new RunHandle(requiredLong(node, "id"), requiredText(node, "run_id"), optionalText(node, "name"));
    }

    static RunInfo runInfo(JsonNode node) {
        String tags = optionalText(node, "tags");
        List<String> tagList = tags == null || tags.isBlank() ? List.of()
                : Arrays.stream(tags.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        return new RunInfo(requiredLong(node, "id"), requiredLong(node, "project_id"), requiredText(node, "run_id"),
                optionalText(node, "name"), optionalText(node, "group_name"), tagList,
                RunState.fromApiValue(requiredText(node, "state")),
                node.hasNonNull("fork_from") ? node.get("fork_from").asLong() : null, instant(node.get("created_at")),
                instant(node.get("updated_at")));
    }

    static RunSummary runSummary(JsonNode node) {
        return new RunSummary(runInfo(node), map(node.path("metrics")), map(node.path("config")));
    }

    static RunPage runPage(JsonNode node) {
        List<RunInfo> runs = new ArrayList<>();
        for (JsonNode run : requiredArray(node, "runs")) {
            runs.add(runInfo(run));
        }
        return new RunPage(runs, node.path("total").asInt(runs.size()), node.path("has_more").asBoolean(false));
    }

    static ProjectInfo project(JsonNode node) {
        return new ProjectInfo(requiredLong(node, "id"), requiredText(node, "name"), optionalText(node, "project_id"),
                instant(node.get("created_at")), instant(node.get("updated_at")), node.path("total_runs").asInt(),
                node.path("running_runs").asInt(), node.path("completed_runs").asInt(),
                node.path("failed_runs").asInt());
    }

    static MetricValue metricValue(JsonNode node) {
        return new MetricValue(requiredText(node, "key"), value(node.get("value")), optionalInt(node, "step"));
    }

    static MetricPath metricPath(JsonNode node) {
        return new MetricPath(requiredText(node, "path"), optionalText(node, "attribute_type"));
    }

    static MetricPage metricPage(JsonNode node) {
        List<MetricPoint> points = new ArrayList<>();
        for (JsonNode point : requiredArray(node, "data")) {
            points.add(new MetricPoint(optionalInt(point, "step"), instant(point.get("timestamp")),
                    value(point.get("value")), optionalText(point, "attribute_type")));
        }
        return new MetricPage(points, node.path("has_more").asBoolean(false), optionalText(node, "attribute_type"));
    }

    /** A JSON object as an insertion-ordered, unmodifiable map of plain Java values. */
    @SuppressWarnings("deprecation") // fields() works on every Jackson 2.x; its
                                     // replacement properties() needs 2.15
    static Map<String, Object> map(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalStateException("expected a JSON object, got " + node.getNodeType());
        }
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> map.put(field.getKey(), value(field.getValue())));
        return Collections.unmodifiableMap(map);
    }

    /** Long for integers, Double for floats, Boolean, String, List, Map, or null. */
    static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> list.add(value(element)));
            return Collections.unmodifiableList(list);
        }
        return map(node);
    }

    static Instant instant(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        String text = node.textValue();
        try {
            return OffsetDateTime.parse(text).toInstant();
        }
        catch (DateTimeParseException withoutOffset) {
            try {
                // Dalva stores naive UTC timestamps.
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            }
            catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    static JsonNode requiredArray(JsonNode node, String field) {
        JsonNode array = node.get(field);
        if (array == null || !array.isArray()) {
            throw new IllegalStateException("no '" + field + "' list");
        }
        return array;
    }

    private static long requiredLong(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw new IllegalStateException("no integer '" + field + "'");
        }
        return value.longValue();
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalStateException("no text '" + field + "'");
        }
        return value.textValue();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer optionalInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.intValue();
    }

}
