package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.util.List;

/**
 * An error answer, thrown from request handling: status and the real server's JSON body.
 */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;

    final transient JsonNode body;

    ApiError(int status, JsonNode body) {
        super(null, null, false, false);
        this.status = status;
        this.body = body;
    }

    /** 404/400 with {@code {"detail": "..."}}. */
    static ApiError detail(int status, String message) {
        return new ApiError(status, Json.detail(message));
    }

    static ApiError notFound(String message) {
        return detail(404, message);
    }

    /** The global exception handler's answer to any unhandled error. */
    static ApiError internal() {
        return detail(500, "Internal server error");
    }

    /** 409 with {@code {"detail": {"message": "...", "conflicts": [...]}}}. */
    static ApiError conflict(String message, List<String> conflicts) {
        ArrayNode list = Json.array();
        conflicts.forEach(list::add);
        var detail = Json.object().put("message", message);
        detail.set("conflicts", list);
        return new ApiError(409, Json.object().set("detail", detail));
    }

}
