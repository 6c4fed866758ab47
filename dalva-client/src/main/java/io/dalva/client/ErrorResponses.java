package io.dalva.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a non-2xx answer into the matching {@link DalvaException}, with the server's
 * {@code detail} parsed (a 409's conflicts by {@link Conflict#parse(String)}). Bodies
 * that are not Dalva's JSON (a proxy's HTML page, plain text) are summarised in a line,
 * never dumped.
 */
final class ErrorResponses {

    private static final int EXCERPT_LENGTH = 200;

    private static final Pattern TITLE = Pattern.compile("<title[^>]*>(.*?)</title>",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private static final Pattern H1 = Pattern.compile("<h1[^>]*>(.*?)</h1>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private final ObjectMapper mapper;

    ErrorResponses(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    DalvaException toException(String call, int status, String contentType, String body) {
        JsonNode detail = detailOf(body);
        String prefix = call + " answered " + status + ": ";
        switch (status) {
            case 404 -> {
                return new DalvaNotFoundException(
                        prefix + (detail != null ? text(detail) : summarize(contentType, body)));
            }
            case 409 -> {
                List<String> texts = detail == null ? List.of()
                        : detail.isObject() ? strings(detail.path("conflicts")) : List.of(text(detail));
                String message = detail != null && detail.isObject() && detail.hasNonNull("message")
                        ? detail.get("message").asText() : "conflict";
                return new DalvaConflictException(prefix + message + (texts.isEmpty() ? "" : ": " + texts),
                        texts.stream().map(Conflict::parse).toList());
            }
            case 422 -> {
                List<String> details = validationDetails(detail);
                String message = detail != null && detail.isObject() && detail.hasNonNull("message")
                        ? detail.get("message").asText() : "invalid request";
                return new DalvaInvalidRequestException(prefix + message + (details.isEmpty() ? "" : ": " + details),
                        details);
            }
            default -> {
                String excerpt = detail != null ? text(detail) : summarize(contentType, body);
                return new DalvaServerException(prefix + excerpt, status, excerpt);
            }
        }
    }

    /** A one-line summary of a body that is not the expected JSON. */
    static String summarize(String contentType, String body) {
        String trimmed = body == null ? "" : body.strip();
        if (trimmed.isEmpty()) {
            return "(empty body)";
        }
        boolean html = (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("html"))
                || trimmed.startsWith("<");
        if (html) {
            String title = firstMatch(TITLE, trimmed);
            if (title == null) {
                title = firstMatch(H1, trimmed);
            }
            return "HTML page" + (title == null ? "" : " \"" + shorten(title) + "\"") + " (" + body.length()
                    + " characters, not Dalva's JSON)";
        }
        return shorten(trimmed);
    }

    private JsonNode detailOf(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        String trimmed = body.strip();
        if (!trimmed.startsWith("{")) {
            return null;
        }
        try {
            JsonNode detail = mapper.readTree(trimmed).get("detail");
            return detail == null || detail.isNull() ? null : detail;
        }
        catch (Exception e) {
            return null;
        }
    }

    private static List<String> validationDetails(JsonNode detail) {
        List<String> details = new ArrayList<>();
        if (detail == null) {
            return details;
        }
        if (detail.isArray()) {
            // FastAPI: [{"type", "loc": ["body", "project"], "msg", "input"}]
            for (JsonNode error : detail) {
                List<String> loc = strings(error.path("loc"));
                String msg = error.path("msg").asText("invalid");
                details.add(loc.isEmpty() ? msg : String.join(".", loc) + ": " + msg);
            }
        }
        else if (detail.isObject()) {
            // Dalva's /log: {"message", "invalid_keys": [...]}
            for (String key : strings(detail.path("invalid_keys"))) {
                details.add(key + ": " + detail.path("message").asText("invalid"));
            }
        }
        else {
            details.add(text(detail));
        }
        return details;
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        for (JsonNode element : array) {
            strings.add(element.isValueNode() ? element.asText() : element.toString());
        }
        return strings;
    }

    private static String text(JsonNode node) {
        return shorten(node.isValueNode() ? node.asText() : node.toString());
    }

    private static String firstMatch(Pattern pattern, String html) {
        Matcher matcher = pattern.matcher(html);
        if (!matcher.find()) {
            return null;
        }
        String text = TAG.matcher(matcher.group(1)).replaceAll(" ").strip();
        return text.isEmpty() ? null : text;
    }

    private static String shorten(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= EXCERPT_LENGTH ? line : line.substring(0, EXCERPT_LENGTH) + "…";
    }

}
