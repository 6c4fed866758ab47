package io.dalva.client;

/** The run, metric, config key or project does not exist (HTTP 404). */
public final class DalvaNotFoundException extends DalvaException {

    public DalvaNotFoundException(String message) {
        super(message, 404);
    }

}
