package io.dalva.internal.journal;

/**
 * Sequence numbers a journal should hold but has neither events nor damaged bytes for (a
 * lost file). The journal never acknowledges past them.
 */
public record MissingRange(long firstSeq, long lastSeq) {

    public long events() {
        return lastSeq - firstSeq + 1;
    }

    @Override
    public String toString() {
        return "seq " + firstSeq + ".." + lastSeq + " (" + events() + " event(s))";
    }

}
