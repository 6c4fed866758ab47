package io.dalva.client;

import java.util.List;

/**
 * The server rejected the request body (HTTP 422); {@link #details()} says which fields
 * and why.
 */
public final class DalvaInvalidRequestException extends DalvaException {

    private final List<String> details;

    public DalvaInvalidRequestException(String message, List<String> details) {
        super(message, 422);
        this.details = List.copyOf(details);
    }

    /** One line per invalid field, like {@code "body.project: Field required"}. */
    public List<String> details() {
        return details;
    }

}
