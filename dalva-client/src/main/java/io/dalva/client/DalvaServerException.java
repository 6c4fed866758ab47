package io.dalva.client;

/**
 * The server failed (5xx) or answered something the client did not expect (another
 * status, a body that is not the JSON it should be). {@link #bodyExcerpt()} is a short
 * summary of the body: the server's {@code detail}, a few hundred characters of text, or
 * the title of an HTML page, never a whole page.
 */
public final class DalvaServerException extends DalvaException {

    private final String bodyExcerpt;

    public DalvaServerException(String message, int status, String bodyExcerpt) {
        super(message, status);
        this.bodyExcerpt = bodyExcerpt;
    }

    /** A short summary of the response body. */
    public String bodyExcerpt() {
        return bodyExcerpt;
    }

}
