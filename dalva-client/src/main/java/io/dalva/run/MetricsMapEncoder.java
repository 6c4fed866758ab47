package io.dalva.run;

import io.dalva.client.internal.JsonDoubles;
import io.dalva.client.internal.Values;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks a metrics map given to {@link DalvaRun#log(Map, int)} and encodes it as the
 * journal's {@code metrics_logged} payload ({@code {"metrics":{…},"step":N}}) in one
 * pass, into a reused buffer: a flat map of doubles costs no allocation. The checks and
 * their messages are {@link Values#flattenMetrics}'s; a map holding nested maps is
 * flattened by it first (its keys joined with {@code /}, a path given twice refused).
 * Every path is also offered to {@link UnchartablePaths} once its value is checked. Not
 * thread-safe: the run serializes its callers.
 */
final class MetricsMapEncoder {

    private static final byte[] START = "{\"metrics\":{".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] NULL_STEP = "},\"step\":null}".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] STEP = "},\"step\":".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Room for a long, a boolean or a closing {@code ,"step":N}}. */
    private static final int SCALAR_ROOM = 32;

    private final UnchartablePaths unchartable;

    private byte[] bytes = new byte[1024];

    private int length;

    private int values;

    MetricsMapEncoder(UnchartablePaths unchartable) {
        this.unchartable = unchartable;
    }

    /** The step of a step-less value. */
    static final int NO_STEP = -1;

    /**
     * Encodes {@code metrics} at {@code step} ({@link #NO_STEP}: a step-less value); the
     * payload is {@code array()[0, length)}, valid until the next call.
     * @return the payload's length
     * @throws IllegalArgumentException for a key or value Dalva cannot store, naming it;
     * nothing is kept of the map then
     */
    int encode(Map<String, ?> metrics, int step) {
        if (metrics == null) {
            throw new IllegalArgumentException("metric map must not be null");
        }
        if (!encodeFlat(metrics)) {
            encodeFlat(Values.flattenMetrics(metrics)); // nested: flat now
        }
        if (step == NO_STEP) {
            write(NULL_STEP);
        }
        else {
            write(STEP);
            writeInt(step);
            bytes[length++] = '}';
        }
        return length;
    }

    /** The values of the last map encoded. */
    int values() {
        return values;
    }

    byte[] array() {
        return bytes;
    }

    /** Encodes a map without nested maps; {@code false} at the first nested map. */
    private boolean encodeFlat(Map<String, ?> metrics) {
        length = 0;
        values = 0;
        write(START);
        for (Map.Entry<String, ?> entry : metrics.entrySet()) {
            Object key = entry.getKey();
            Object value = entry.getValue();
            if (value instanceof Map<?, ?>) {
                return false;
            }
            if (!(key instanceof String path)) {
                throw new IllegalArgumentException("metric keys must be strings, got "
                        + (key == null ? "null" : key.getClass().getName() + " " + key));
            }
            Values.checkMetricKey(path);
            if (values > 0) {
                ensure(1);
                bytes[length++] = ',';
            }
            writeString(path);
            ensure(1);
            bytes[length++] = ':';
            writeValue(path, value);
            unchartable.check(path);
            values++;
        }
        return true;
    }

    private void writeValue(String path, Object value) {
        ensure(SCALAR_ROOM);
        if (value instanceof Double d) {
            double number = d;
            if (!Double.isFinite(number)) {
                throw notFinite(path, d);
            }
            length = JsonDoubles.write(number, bytes, length);
        }
        else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            writeInt(((Number) value).intValue());
        }
        else if (value instanceof Long l) {
            writeInt(Values.checkInt(path, l, "metric"));
        }
        else if (value instanceof Float f) {
            if (!Float.isFinite(f)) {
                throw notFinite(path, f);
            }
            // the float's own shortest digits, not those of the double it widens to
            write(Float.toString(f).getBytes(StandardCharsets.US_ASCII));
        }
        else if (value instanceof Boolean b) {
            write(b ? "true" : "false");
        }
        else if (value instanceof String s) {
            writeString(s);
        }
        else if (value == null) {
            throw new IllegalArgumentException("metric '" + path + "' is null");
        }
        else {
            throw new IllegalArgumentException("metric '" + path + "' has unsupported type "
                    + value.getClass().getName() + " (use int, long, float, double, boolean or String)");
        }
    }

    private static IllegalArgumentException notFinite(String path, Object value) {
        return new IllegalArgumentException(
                "metric '" + path + "' is " + value + ": only finite numbers can be stored");
    }

    private void writeInt(int value) {
        ensure(SCALAR_ROOM);
        length = JsonDoubles.writeInt(value, bytes, length);
    }

    /** A JSON string in UTF-8: quotes, backslashes and control characters escaped. */
    private void writeString(String text) {
        ensure(6 * text.length() + 2);
        bytes[length++] = '"';
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            }
            else if (c < 0x20) {
                bytes[length++] = '\\';
                bytes[length++] = 'u';
                bytes[length++] = '0';
                bytes[length++] = '0';
                bytes[length++] = HEX[c >> 4];
                bytes[length++] = HEX[c & 0xF];
            }
            else if (c < 0x80) {
                bytes[length++] = (byte) c;
            }
            else if (c < 0x800) {
                bytes[length++] = (byte) (0xC0 | c >> 6);
                bytes[length++] = (byte) (0x80 | c & 0x3F);
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                int code = Character.toCodePoint(c, text.charAt(++i));
                bytes[length++] = (byte) (0xF0 | code >> 18);
                bytes[length++] = (byte) (0x80 | code >> 12 & 0x3F);
                bytes[length++] = (byte) (0x80 | code >> 6 & 0x3F);
                bytes[length++] = (byte) (0x80 | code & 0x3F);
            }
            else if (Character.isSurrogate(c)) {
                // a lone surrogate, written as Java's own UTF-8 encoder writes it
                bytes[length++] = '?';
            }
            else {
                bytes[length++] = (byte) (0xE0 | c >> 12);
                bytes[length++] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[length++] = (byte) (0x80 | c & 0x3F);
            }
        }
        bytes[length++] = '"';
    }

    private void write(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
    }

    private void write(byte[] ascii) {
        ensure(ascii.length);
        System.arraycopy(ascii, 0, bytes, length, ascii.length);
        length += ascii.length;
    }

    private void ensure(int more) {
        if (length + more + SCALAR_ROOM > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more + SCALAR_ROOM));
        }
    }

}
