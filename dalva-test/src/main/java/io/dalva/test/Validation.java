package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Request validation the way FastAPI and pydantic (lax mode) do it, collecting every
 * error into the 422 body {@code {"detail": [{"type", "loc", "msg", "input", "ctx"?}]}}.
 */
final class Validation {

    private static final Set<String> TRUE_STRINGS = Set.of("1", "on", "t", "true", "y", "yes");

    private static final Set<String> FALSE_STRINGS = Set.of("0", "off", "f", "false", "n", "no");

    private final ArrayNode errors = Json.array();

    void error(String type, List<Object> loc, String msg, JsonNode input, ObjectNode ctx) {
        ObjectNode error = Json.object().put("type", type);
        ArrayNode locNode = error.putArray("loc");
        for (Object part : loc) {
            if (part instanceof Integer i) {
                locNode.add(i);
            }
            else {
                locNode.add(part.toString());
            }
        }
        error.put("msg", msg);
        error.set("input", input == null ? NullNode.getInstance() : input);
        if (ctx != null) {
            error.set("ctx", ctx);
        }
        errors.add(error);
    }

    /** Throws the 422 answer if anything was wrong. */
    void check() {
        if (!errors.isEmpty()) {
            throw new ApiError(422, Json.object().set("detail", errors));
        }
    }

    /**
     * The JSON request body as an object. When it is missing, not JSON, or not an object,
     * answers 422 with that error and every error recorded before it.
     */
    ObjectNode bodyObject(Request request) {
        ObjectNode body = parseBodyObject(request);
        if (body == null) {
            check();
        }
        return body;
    }

    /** The body as an object, or null (with an error recorded). */
    private ObjectNode parseBodyObject(Request request) {
        byte[] bytes = request.body();
        if (bytes.length == 0) {
            error("missing", List.of("body"), "Field required", null, null);
            return null;
        }
        String contentType = request.header("Content-Type");
        if (contentType != null && !isJson(contentType)) {
            error("model_attributes_type", List.of("body"),
                    "Input should be a valid dictionary or object to extract fields from",
                    Json.NODES.textNode(new String(bytes, StandardCharsets.UTF_8)), null);
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        }
        catch (java.nio.charset.CharacterCodingException e) {
            throw ApiError.detail(400, "There was an error parsing the body");
        }
        PythonJson.DecodeError syntax = PythonJson.check(text);
        if (syntax != null) {
            error("json_invalid", List.of("body", syntax.position()), "JSON decode error", Json.object(),
                    Json.object().put("error", syntax.message()));
            return null;
        }
        JsonNode body;
        try {
            body = Json.parse(bytes);
        }
        catch (IOException e) { // Python decodes it, Jackson does not (nesting depth,
                                // ...)
            throw ApiError.detail(400, "There was an error parsing the body");
        }
        if (body == null || body.isMissingNode() || body.isNull()) {
            error("missing", List.of("body"), "Field required", null, null);
            return null;
        }
        if (!body.isObject()) {
            error("model_attributes_type", List.of("body"),
                    "Input should be a valid dictionary or object to extract fields from", body, null);
            return null;
        }
        return (ObjectNode) body;
    }

    private static boolean isJson(String contentType) {
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }

    /** A model given as a nested value (a list entry): must be an object. */
    ObjectNode nestedObject(JsonNode node, List<Object> loc) {
        if (node != null && node.isObject()) {
            return (ObjectNode) node;
        }
        error("model_attributes_type", loc, "Input should be a valid dictionary or object to extract fields from", node,
                null);
        return null;
    }

    String string(ObjectNode owner, String field, boolean required, List<Object> loc) {
        JsonNode node = owner.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                error("missing", loc, "Field required", owner, null);
            }
            return null;
        }
        if (!node.isTextual()) {
            error("string_type", loc, "Input should be a valid string", node, null);
            return null;
        }
        return node.textValue();
    }

    ObjectNode mapping(ObjectNode owner, String field, boolean required, List<Object> loc) {
        JsonNode node = owner.get(field);
        if (node == null || (node.isNull() && !required)) {
            if (required) {
                error("missing", loc, "Field required", owner, null);
            }
            return null;
        }
        if (!node.isObject()) {
            error("dict_type", loc, "Input should be a valid dictionary", node, null);
            return null;
        }
        return (ObjectNode) node;
    }

    ArrayNode list(ObjectNode owner, String field, List<Object> loc) {
        JsonNode node = owner.get(field);
        if (node == null) {
            error("missing", loc, "Field required", owner, null);
            return null;
        }
        if (!node.isArray()) {
            error("list_type", loc, "Input should be a valid list", node, null);
            return null;
        }
        return (ArrayNode) node;
    }

    /**
     * An optional integer from a JSON body: ints, integral floats, bools and numeric
     * strings pass.
     */
    BigInteger optionalInt(ObjectNode owner, String field, List<Object> loc) {
        JsonNode node = owner.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        return integer(node, loc);
    }

    BigInteger integer(JsonNode node, List<Object> loc) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? BigInteger.ONE : BigInteger.ZERO;
        }
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                throw ApiError.internal(); // measured: pydantic lets it through and the
                                           // handler fails
            }
            if (d != Math.rint(d)) {
                error("int_from_float", loc, "Input should be a valid integer, got a number with a fractional part",
                        node, null);
                return null;
            }
            if (Math.abs(d) >= 0x1p63) {
                error("int_parsing_size", loc, "Unable to parse input string as an integer, exceeded maximum size",
                        node, null);
                return null;
            }
            return new BigDecimal(d).toBigInteger();
        }
        if (node.isTextual()) {
            return parseInt(node.textValue(), loc);
        }
        error("int_type", loc, "Input should be a valid integer", node, null);
        return null;
    }

    /** An integer from a path or query string. */
    BigInteger parseInt(String text, List<Object> loc) {
        String trimmed = text.strip();
        if (trimmed.matches("[+-]?\\d+(_\\d+)*(\\.0*)?")) {
            String digits = trimmed.replace("_", "").replaceFirst("\\..*", "");
            return new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits);
        }
        error("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer",
                Json.NODES.textNode(text), null);
        return null;
    }

    /** An optional query integer: absent means the default. */
    BigInteger queryInt(Request request, String name, BigInteger defaultValue) {
        String raw = request.query(name);
        return raw == null ? defaultValue : parseInt(raw, List.of("query", name));
    }

    /** {@code bool | list[int]}, as pydantic's smart union checks it. */
    JsonNode boolOrIntList(ObjectNode owner, String field, List<Object> loc) {
        JsonNode node = owner.get(field);
        if (node == null) {
            return Json.NODES.booleanNode(false);
        }
        if (node.isBoolean()) {
            return node;
        }
        if (node.isIntegralNumber() && (node.intValue() == 0 || node.intValue() == 1)
                && node.bigIntegerValue().bitLength() < 2) {
            return Json.NODES.booleanNode(node.intValue() == 1);
        }
        if (node.isTextual()) {
            String text = node.textValue().strip().toLowerCase(Locale.ROOT);
            if (TRUE_STRINGS.contains(text) || FALSE_STRINGS.contains(text)) {
                return Json.NODES.booleanNode(TRUE_STRINGS.contains(text));
            }
        }
        if (node.isArray()) {
            Validation items = new Validation();
            ArrayNode ints = Json.array();
            for (int i = 0; i < node.size(); i++) {
                BigInteger value = items.integer(node.get(i), append(loc, "list[int]", i));
                if (value != null) {
                    ints.add(value);
                }
            }
            if (items.errors.isEmpty()) {
                return ints;
            }
            error("bool_type", append(loc, "bool"), "Input should be a valid boolean", node, null);
            errors.addAll(items.errors);
            return null;
        }
        boolean parsable = node.isTextual() || node.isIntegralNumber();
        error(parsable ? "bool_parsing" : "bool_type", append(loc, "bool"), parsable
                ? "Input should be a valid boolean, unable to interpret input" : "Input should be a valid boolean",
                node, null);
        error("list_type", append(loc, "list[int]"), "Input should be a valid list", node, null);
        return null;
    }

    /**
     * An optional datetime (ISO-8601 text or Unix seconds/milliseconds), as naive UTC.
     */
    LocalDateTime optionalDateTime(ObjectNode owner, String field, List<Object> loc) {
        JsonNode node = owner.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber() && Double.isFinite(node.doubleValue())) {
            double seconds = node.doubleValue();
            if (Math.abs(seconds) > 2e10) {
                seconds /= 1000;
            }
            long micros = Math.round(seconds * 1_000_000);
            return LocalDateTime.ofInstant(Instant.EPOCH.plusNanos(micros * 1000), ZoneOffset.UTC);
        }
        if (node.isTextual() && node.textValue().strip().matches("[+-]?\\d+(\\.\\d*)?")) {
            return optionalDateTime(Json.object().put(field, Double.parseDouble(node.textValue().strip())), field, loc);
        }
        if (node.isTextual()) {
            String text = node.textValue().strip().replace(' ', 'T');
            try {
                return OffsetDateTime.parse(text.endsWith("z") ? text.substring(0, text.length() - 1) + "Z" : text)
                    .withOffsetSameInstant(ZoneOffset.UTC)
                    .toLocalDateTime();
            }
            catch (DateTimeParseException notOffset) {
                try {
                    return LocalDateTime.parse(text);
                }
                catch (DateTimeParseException notLocal) {
                    try {
                        return LocalDate.parse(text).atStartOfDay();
                    }
                    catch (DateTimeParseException notDate) {
                        String reason = dateTimeError(text);
                        error("datetime_from_date_parsing", loc, "Input should be a valid datetime or date, " + reason,
                                node, Json.object().put("error", reason));
                        return null;
                    }
                }
            }
        }
        error("datetime_type", loc, "Input should be a valid datetime", node, null);
        return null;
    }

    /**
     * The reason pydantic's date-time parser gives for the most common malformed inputs.
     */
    private static String dateTimeError(String text) {
        if (text.length() < 10) {
            return "input is too short";
        }
        if (!text.substring(0, 4).chars().allMatch(Character::isDigit)) {
            return "invalid character in year";
        }
        if (text.charAt(4) != '-' || text.charAt(7) != '-') {
            return "invalid date separator, expected `-`";
        }
        if (!text.substring(5, 7).chars().allMatch(Character::isDigit)) {
            return "invalid character in month";
        }
        int month = Integer.parseInt(text.substring(5, 7));
        if (month < 1 || month > 12) {
            return "month value is outside expected range of 1-12";
        }
        if (!text.substring(8, 10).chars().allMatch(Character::isDigit)) {
            return "invalid character in day";
        }
        try {
            LocalDate.parse(text.substring(0, 10));
        }
        catch (DateTimeParseException e) {
            return "day value is outside expected range";
        }
        return "unexpected extra characters at the end of the input";
    }

    static List<Object> append(List<Object> loc, Object... more) {
        var all = new java.util.ArrayList<>(loc);
        all.addAll(List.of(more));
        return all;
    }

}
