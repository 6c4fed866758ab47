package io.dalva.client;

import java.util.List;

/**
 * The write conflicts with data the run already holds (HTTP 409): a value already exists
 * at that step, a path changes type, a config key exists with another value. Dalva never
 * overwrites; remove the value first.
 */
public final class DalvaConflictException extends DalvaException {

    private final List<Conflict> conflicts;

    public DalvaConflictException(String message, List<Conflict> conflicts) {
        super(message, 409);
        this.conflicts = List.copyOf(conflicts);
    }

    /**
     * One conflict per conflicting value or key, typed from the server's wording (or from
     * the client's own check); empty when the server named none.
     */
    public List<Conflict> conflicts() {
        return conflicts;
    }

}
