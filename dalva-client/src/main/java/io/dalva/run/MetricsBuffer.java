package io.dalva.run;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.dalva.client.internal.JsonDoubles;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One step's metric values, encoded once as the JSON the server receives, for callers
 * that log the same paths step after step (a metrics registry): build each name's
 * {@link Key} once, then per step {@link #clear()}, add values (flat, or grouped under a
 * folder: {@code {"http.requests/uri=∕a":{"count":3.0,"sum":0.12}}} stores
 * {@code http.requests/uri=∕a/count} and {@code …/sum}), and hand the buffer to
 * {@link DalvaRun#log(MetricsBuffer, int)}. The journal keeps these bytes and the sender
 * forwards them without parsing. Values are doubles and always written as floats
 * ({@code 3.0}), so a path's type never flips between steps. Not thread-safe; reusable.
 */
public final class MetricsBuffer {

    private static final byte[] START = "{\"metrics\":{".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] STEP = "},\"step\":".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[4096];

    private int length;

    private int values;

    private boolean groupOpen;

    private boolean firstInScope = true;

    /** Where the open folder's key starts (its comma included), to drop it if empty. */
    private int groupStart;

    private boolean groupWasFirst;

    public MetricsBuffer() {
        clear();
    }

    /**
     * The encoded form of a metric name (a folder or a field), built once and reused.
     * @throws IllegalArgumentException when the name is empty or has an empty
     * {@code /}-segment
     */
    public static Key key(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
            throw new IllegalArgumentException("metric name '" + name + "' is empty or has an empty segment");
        }
        return new Key(name);
    }

    /** Empties the buffer for the next step. */
    public void clear() {
        System.arraycopy(START, 0, bytes, 0, START.length);
        length = START.length;
        values = 0;
        groupOpen = false;
        firstInScope = true;
    }

    /**
     * Starts a folder: the values added until the next {@code group} or
     * {@link #endGroup()} are stored under {@code folder/field}.
     */
    public void group(Key folder) {
        endGroup();
        ensure(folder.bytes.length + 2);
        groupStart = length;
        groupWasFirst = firstInScope;
        if (!firstInScope) {
            bytes[length++] = ',';
        }
        System.arraycopy(folder.bytes, 0, bytes, length, folder.bytes.length);
        length += folder.bytes.length;
        bytes[length++] = '{';
        groupOpen = true;
        firstInScope = true;
    }

    /** Ends the current folder, if any: later values are top-level paths again. */
    public void endGroup() {
        if (groupOpen) {
            ensure(1);
            if (firstInScope) { // an empty folder: leave no trace of it
                length = groupStart;
                firstInScope = groupWasFirst;
            }
            else {
                bytes[length++] = '}';
                firstInScope = false;
            }
            groupOpen = false;
        }
    }

    /**
     * Adds a value (in the current folder, if one is open).
     * @throws IllegalArgumentException when {@code value} is NaN or infinite: the caller
     * decides what a non-finite value means (a registry skips and logs it)
     */
    public void value(Key name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(
                    "metric '" + name + "' is " + value + ": only finite numbers are stored");
        }
        ensure(name.bytes.length + 1 + JsonDoubles.MAX_LENGTH);
        if (!firstInScope) {
            bytes[length++] = ',';
        }
        System.arraycopy(name.bytes, 0, bytes, length, name.bytes.length);
        length += name.bytes.length;
        length = JsonDoubles.write(value, bytes, length);
        firstInScope = false;
        values++;
    }

    /** The values added since the last {@link #clear()}. */
    public int values() {
        return values;
    }

    public boolean isEmpty() {
        return values == 0;
    }

    /**
     * Closes the open folder and writes the event payload
     * ({@code {"metrics":{…},"step":N}}, {@code step} not negative) from the start of
     * {@link #array()}; returns its length. The values stay: the buffer is unchanged for
     * the caller.
     */
    int payload(int step) {
        endGroup();
        ensure(STEP.length + JsonDoubles.MAX_INT_LENGTH + 1);
        int end = length;
        System.arraycopy(STEP, 0, bytes, end, STEP.length);
        end = JsonDoubles.writeInt(step, bytes, end + STEP.length);
        bytes[end++] = '}';
        return end;
    }

    byte[] array() {
        return bytes;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    /** A metric name as the buffer writes it ({@code "name":}). Immutable. */
    public static final class Key {

        private final String name;

        private final byte[] bytes;

        private Key(String name) {
            this.name = name;
            byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(name);
            this.bytes = new byte[escaped.length + 3];
            bytes[0] = '"';
            System.arraycopy(escaped, 0, bytes, 1, escaped.length);
            bytes[escaped.length + 1] = '"';
            bytes[escaped.length + 2] = ':';
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }

    }

}
