package io.dalva.internal.journal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes journal events as single JSON lines into a reused buffer, in one canonical
 * layout that Dalva's readers accept and that {@link EventLine} can split without a JSON
 * parser:
 *
 * <pre>
 * {"version":1,"seq":7,"timestamp":"2026-12-03T10:25:34.036448+00:00","type":"metrics_logged","payload":{…},"crc":"1a2b3c4d"}
 * </pre>
 *
 * {@code crc} is the CRC-32C (lower-case hex, 8 digits) of every byte of the line before
 * {@code ,"crc":}; Dalva's importer and Python SDK ignore the field. The payload is
 * written by Jackson's streaming generator or copied as given (already encoded bytes, so
 * a caller that encoded its metrics once hands the journal those bytes). Not thread-safe:
 * the journal calls it under its lock.
 */
final class EventEncoder {

    /**
     * Python's {@code datetime.isoformat()} shape, which every Python 3
     * {@code fromisoformat} reads.
     */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx")
        .withZone(ZoneOffset.UTC);

    private static final byte[] UTC_OFFSET = "+00:00".getBytes(StandardCharsets.US_ASCII);

    static final byte[] CRC_FIELD = ",\"crc\":\"".getBytes(StandardCharsets.US_ASCII);

    /** {@code ,"crc":"} + 8 hex digits + {@code "}}: the fixed tail of a line. */
    static final int CRC_TAIL = CRC_FIELD.length + 8 + 2;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] VERSION_SEQ = "{\"version\":1,\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] TIMESTAMP_FIELD = ",\"timestamp\":\"".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] TYPE_FIELD = "\",\"type\":\"".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] PAYLOAD_FIELD = "\",\"payload\":".getBytes(StandardCharsets.US_ASCII);

    /** Writes an event's payload object fields. */
    @FunctionalInterface
    public interface Payload {

        void write(JsonGenerator generator) throws IOException;

    }

    private final JsonFactory factory = new JsonFactory();

    private final Buffer buffer = new Buffer();

    private final CRC32C crc = new CRC32C();

    /** Reused across events (flushed after each); {@code null} until first needed. */
    private JsonGenerator generator;

    /** The epoch second whose text {@link #secondText} holds. */
    private long cachedSecond = Long.MIN_VALUE;

    /** {@code 2026-12-03T10:25:34.}: the timestamp up to its fraction. */
    private final byte[] secondText = new byte[20];

    /**
     * Encodes one event whose payload fields {@code payload} writes, newline included;
     * the result is valid until the next call.
     */
    Buffer encode(long seq, String type, long epochSecond, int nanos, Payload payload) {
        start(seq, type, epochSecond, nanos);
        try {
            if (generator == null) {
                generator = factory.createGenerator(buffer, JsonEncoding.UTF8);
                generator.setRootValueSeparator(null);
            }
            generator.writeStartObject();
            payload.write(generator);
            generator.writeEndObject();
            generator.flush();
        }
        catch (IOException | RuntimeException e) {
            generator = null; // left inside an object: the next event starts a new one
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
        return finish();
    }

    /**
     * Encodes one event whose payload object is given as UTF-8 JSON bytes (not checked).
     */
    Buffer encodeRaw(long seq, String type, long epochSecond, int nanos, byte[] payload, int offset, int length) {
        start(seq, type, epochSecond, nanos);
        buffer.write(payload, offset, length);
        return finish();
    }

    private void start(long seq, String type, long epochSecond, int nanos) {
        buffer.reset();
        buffer.write(VERSION_SEQ, 0, VERSION_SEQ.length);
        writeDigits(seq);
        buffer.write(TIMESTAMP_FIELD, 0, TIMESTAMP_FIELD.length);
        writeTimestamp(epochSecond, nanos);
        buffer.write(TYPE_FIELD, 0, TYPE_FIELD.length);
        buffer.writeAscii(type);
        buffer.write(PAYLOAD_FIELD, 0, PAYLOAD_FIELD.length);
    }

    /**
     * Writes {@link #TIMESTAMP}'s text of an instant without allocating: the part up to
     * the second is formatted once per second.
     */
    private void writeTimestamp(long second, int nanos) {
        if (second != cachedSecond) {
            String text = TIMESTAMP.format(Instant.ofEpochSecond(second));
            for (int i = 0; i < secondText.length; i++) {
                secondText[i] = (byte) text.charAt(i);
            }
            cachedSecond = second;
        }
        buffer.write(secondText, 0, secondText.length);
        int micros = nanos / 1000;
        for (int divisor = 100_000; divisor > 0; divisor /= 10) {
            buffer.write('0' + (micros / divisor) % 10);
        }
        buffer.write(UTC_OFFSET, 0, UTC_OFFSET.length);
    }

    private void writeDigits(long value) {
        if (value < 0) {
            buffer.write('-');
            value = -value;
        }
        long divisor = 1;
        while (divisor <= value / 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            buffer.write((int) ('0' + (value / divisor) % 10));
        }
    }

    private Buffer finish() {
        crc.reset();
        crc.update(buffer.array(), 0, buffer.length());
        int value = (int) crc.getValue();
        buffer.write(CRC_FIELD, 0, CRC_FIELD.length);
        for (int shift = 28; shift >= 0; shift -= 4) {
            buffer.write(HEX[(value >>> shift) & 0xF]);
        }
        buffer.write('"');
        buffer.write('}');
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

    /** The CRC-32C of {@code length} bytes, as {@link #encode} writes it. */
    static int crc(byte[] bytes, int offset, int length) {
        CRC32C check = new CRC32C();
        check.update(bytes, offset, length);
        return (int) check.getValue();
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

        void writeAscii(String text) {
            for (int i = 0; i < text.length(); i++) {
                write(text.charAt(i));
            }
        }

    }

}
