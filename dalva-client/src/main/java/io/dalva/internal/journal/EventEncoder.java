package io.dalva.internal.journal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Writes journal events as single JSON lines with Jackson's streaming generator into a
 * reused buffer. Not thread-safe: the journal calls it under its lock.
 */
final class EventEncoder {

    /**
     * Python's {@code datetime.isoformat()} shape, which every Python 3
     * {@code fromisoformat} reads.
     */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx")
        .withZone(ZoneOffset.UTC);

    /** Writes an event's payload object fields. */
    @FunctionalInterface
    public interface Payload {

        void write(JsonGenerator generator) throws IOException;

    }

    private final JsonFactory factory = new JsonFactory();

    private final Buffer buffer = new Buffer();

    /** Encodes one event, newline included; the result is valid until the next call. */
    Buffer encode(long seq, String type, Instant timestamp, Payload payload) {
        buffer.reset();
        try (JsonGenerator generator = factory.createGenerator(buffer, JsonEncoding.UTF8)) {
            generator.writeStartObject();
            generator.writeNumberField("version", 1);
            generator.writeNumberField("seq", seq);
            generator.writeStringField("timestamp", TIMESTAMP.format(timestamp));
            generator.writeStringField("type", type);
            generator.writeObjectFieldStart("payload");
            payload.write(generator);
            generator.writeEndObject();
            generator.writeEndObject();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buffer.write('\n');
        return buffer;
    }

    /**
     * Writes a flat or nested map of scalar values (nested maps become nested objects).
     */
    static void writeMap(JsonGenerator generator, Map<String, ?> values) throws IOException {
        generator.writeStartObject();
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            generator.writeFieldName(entry.getKey());
            writeValue(generator, entry.getKey(), entry.getValue());
        }
        generator.writeEndObject();
    }

    @SuppressWarnings("unchecked")
    static void writeValue(JsonGenerator generator, String key, Object value) throws IOException {
        if (value instanceof Double d) {
            generator.writeNumber(d.doubleValue());
        }
        else if (value instanceof Float f) {
            generator.writeNumber(f.floatValue());
        }
        else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            generator.writeNumber(((Number) value).longValue());
        }
        else if (value instanceof BigInteger b) {
            generator.writeNumber(b);
        }
        else if (value instanceof BigDecimal b) {
            generator.writeNumber(b);
        }
        else if (value instanceof Number n) {
            generator.writeNumber(n.doubleValue());
        }
        else if (value instanceof Boolean b) {
            generator.writeBoolean(b);
        }
        else if (value instanceof CharSequence s) {
            generator.writeString(s.toString());
        }
        else if (value instanceof Map<?, ?> map) {
            writeMap(generator, (Map<String, ?>) map);
        }
        else if (value instanceof Iterable<?> list) { // config values may be lists
            generator.writeStartArray();
            for (Object element : list) {
                if (element == null) {
                    generator.writeNull();
                }
                else {
                    writeValue(generator, key, element);
                }
            }
            generator.writeEndArray();
        }
        else {
            throw new IllegalArgumentException(
                    "value of '" + key + "' is not a scalar: " + (value == null ? "null" : value.getClass().getName()));
        }
    }

    /** A growable byte buffer whose array is read directly (no copy). */
    static final class Buffer extends ByteArrayOutputStream {

        Buffer() {
            super(512);
        }

        byte[] array() {
            return buf;
        }

        int length() {
            return count;
        }

    }

}
