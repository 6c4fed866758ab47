package io.dalva.internal.journal;

/** Another journal (in this process or another) holds the run folder's lock. */
public final class JournalInUseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public JournalInUseException(String message) {
        super(message);
    }

}
