package io.dalva.test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as the real server reads and writes it: Python's {@code json.loads} accepts bare
 * {@code NaN} and {@code Infinity} and rejects trailing data; pydantic writes non-finite
 * floats as {@code null}. Also Python's {@code repr} of strings, lists and sets, which
 * appear in conflict messages.
 */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder()
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        .build();

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    static ObjectNode detail(String message) {
        return object().put("detail", message);
    }

    static JsonNode parse(byte[] body) throws java.io.IOException {
        return MAPPER.readTree(body);
    }

    /** Serializes like FastAPI: non-finite floats become {@code null}. */
    static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(finite(node));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode finite(JsonNode node) {
        if (node == null) {
            return NullNode.getInstance();
        }
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            return NullNode.getInstance();
        }
        if (node.isObject()) {
            ObjectNode copy = object();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), finite(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = array();
            node.forEach(e -> copy.add(finite(e)));
            return copy;
        }
        return node;
    }

    /** A stored value (Double, Long, Boolean, String or null) as JSON. */
    static JsonNode value(Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        return NODES.textNode(value.toString());
    }

    /**
     * A JSON value as plain Java: Long (or BigInteger), Double (null when not finite),
     * Boolean, String, List, Map.
     */
    static Object toJava(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            BigInteger big = node.bigIntegerValue();
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        if (node.isNumber()) {
            double d = node.doubleValue();
            return Double.isFinite(d) ? d : null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(e -> list.add(toJava(e)));
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), toJava(e.getValue())));
        return map;
    }

    /** Python's {@code repr(str)}. */
    static String pyRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            }
            else if (cp == '\n') {
                out.append("\\n");
            }
            else if (cp == '\r') {
                out.append("\\r");
            }
            else if (cp == '\t') {
                out.append("\\t");
            }
            else if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\x%02x", cp));
            }
            else {
                out.appendCodePoint(cp);
            }
        });
        return out.append(quote).toString();
    }

    /** Python's {@code repr(list_of_str)}. */
    static String pyListRepr(Collection<String> items) {
        return "[" + String.join(", ", items.stream().map(Json::pyRepr).toList()) + "]";
    }

    /** Python's {@code repr(set_of_str)} (a set's order is arbitrary in Python too). */
    static String pySetRepr(Collection<String> items) {
        return "{" + String.join(", ", items.stream().map(Json::pyRepr).toList()) + "}";
    }

    /** The metric values of a log or batch body (0 if it is not JSON). */
    static int metricValues(String body) {
        return count(body.getBytes(StandardCharsets.UTF_8), false);
    }

    /** The metric and config values a write request carries (0 if it is not JSON). */
    static int writtenValues(byte[] body) {
        return count(body, true);
    }

    private static int count(byte[] body, boolean withConfig) {
        try {
            JsonNode json = MAPPER.readTree(body);
            if (json == null) {
                return 0;
            }
            int values = leaves(json.path("metrics")) + (withConfig ? leaves(json.path("config")) : 0);
            for (JsonNode entry : json.path("entries")) {
                values += leaves(entry.path("metrics"));
            }
            return values;
        }
        catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int leaves(JsonNode node) {
        if (node.isMissingNode()) {
            return 0;
        }
        if (!node.isObject()) {
            return 1;
        }
        int count = 0;
        for (JsonNode child : node) {
            count += leaves(child);
        }
        return count;
    }

}
