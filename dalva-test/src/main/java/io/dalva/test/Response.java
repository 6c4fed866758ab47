package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** An answer: status, JSON body (null for none) and extra headers. */
record Response(int status, JsonNode body, Map<String, String> headers) {

    static Response ok(JsonNode body) {
        return new Response(200, body, Map.of());
    }

    static Response of(ApiError error) {
        return new Response(error.status, error.body, Map.of());
    }
}
