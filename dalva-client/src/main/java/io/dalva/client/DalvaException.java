package io.dalva.client;

/**
 * Base of every error the Dalva client reports. Unchecked; the subclass says what went
 * wrong, {@link #status()} gives the HTTP status of the server's answer (0 when there was
 * no answer).
 */
public sealed class DalvaException extends RuntimeException permits DalvaUnreachableException, DalvaNotFoundException,
        DalvaConflictException, DalvaInvalidRequestException, DalvaServerException, DalvaDeliveryException {

    private final int status;

    public DalvaException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public DalvaException(String message, int status) {
        this(message, status, null);
    }

    /** The HTTP status the server answered, or 0 when no answer was received. */
    public int status() {
        return status;
    }

}
