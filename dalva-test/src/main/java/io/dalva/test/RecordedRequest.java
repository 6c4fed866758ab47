package io.dalva.test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request the test server received.
 *
 * @param method the HTTP method
 * @param path the decoded path, such as {@code /api/runs/2/log}
 * @param query the raw query string, empty when there is none
 * @param body the request body as UTF-8 text, empty when there is none
 * @param time when the request arrived
 * @param status the status answered, or 0 when the connection was dropped without an
 * answer
 * @param headers the request headers (names as the client sent them)
 */
public record RecordedRequest(String method, String path, String query, String body, Instant time, int status,
        Map<String, List<String>> headers) {

    /** The first value of a header, matched case-insensitively, or null. */
    public String header(String name) {
        return headers.entrySet()
            .stream()
            .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
            .map(e -> e.getValue().get(0))
            .findFirst()
            .orElse(null);
    }

    /**
     * The metric values the body carries ({@code metrics} of a log request, of every
     * entry of a batch; nested objects counted by their scalars); 0 when it is not JSON.
     */
    public int metricValues() {
        return Json.metricValues(body);
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " -> " + status;
    }
}
