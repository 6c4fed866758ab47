package io.dalva.client;

/**
 * The server could not be reached or did not answer in time: connection refused, unknown
 * host, TLS failure, timeout, or the connection dropped. {@link #status()} is 0.
 */
public final class DalvaUnreachableException extends DalvaException {

    public DalvaUnreachableException(String message, Throwable cause) {
        super(message, 0, cause);
    }

}
