package io.dalva.client;

import java.util.List;

/**
 * The write conflicts with data the run already holds (HTTP 409): a value already exists
 * at that step, a path changes type, a config key exists with another value. Dalva never
 * overwrites; remove the value first.
 */
public final class DalvaConflictException extends DalvaException {

    private final List<String> conflicts;

    public DalvaConflictException(String message, List<String> conflicts) {
        super(message, 409);
        this.conflicts = List.copyOf(conflicts);
    }

    /**
     * One sentence per conflicting key, as the server (or the client's own check) worded
     * it.
     */
    public List<String> conflicts() {
        return conflicts;
    }

}
