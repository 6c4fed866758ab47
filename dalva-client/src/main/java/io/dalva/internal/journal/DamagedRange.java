package io.dalva.internal.journal;

/**
 * Bytes of a journal that could not be read back as events: kept under {@code damaged/}
 * in the run folder, never deleted, never sent.
 *
 * @param file the segment file they came from
 * @param firstSeq the first sequence number they stand for (0 when unknown)
 * @param lastSeq the last one ({@code firstSeq - 1} when they stand for no event)
 * @param bytes how many bytes
 * @param kept where the bytes are now ({@code null} when they could not be moved)
 */
public record DamagedRange(String file, long firstSeq, long lastSeq, long bytes, String kept) {

    /** How many events the damage stands for. */
    public long events() {
        return firstSeq <= 0 ? 0 : Math.max(0, lastSeq - firstSeq + 1);
    }

    @Override
    public String toString() {
        return file + ": " + (events() == 0 ? "no whole event" : "seq " + firstSeq + ".." + lastSeq) + " (" + events()
                + " event(s), " + bytes + " bytes" + (kept != null ? ", kept in " + kept : ", left in place") + ")";
    }

}
