package io.dalva.internal.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks and splits one journal line (without its newline). A line that ends in a
 * {@code crc} field must match it and have {@link EventEncoder}'s layout; a line without
 * one (written by an earlier version, or by Dalva's Python SDK) must be a JSON object
 * with a numeric {@code seq}, a {@code type} and an object {@code payload}. Anything else
 * is damaged: {@link #parse} returns {@code null}.
 */
final class EventLine {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final byte[] PREFIX = "{\"version\":1,\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] TIMESTAMP_FIELD = ",\"timestamp\":\"".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] TYPE_FIELD = "\",\"type\":\"".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] PAYLOAD_FIELD = "\",\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private EventLine() {
    }

    /**
     * The event in {@code bytes[offset, offset + length)}, or {@code null} if damaged.
     */
    static JournalEvent parse(byte[] bytes, int offset, int length) {
        byte[] line = Arrays.copyOfRange(bytes, offset, offset + length);
        if (hasCrc(line)) {
            return parseChecked(line);
        }
        return parseUnchecked(line);
    }

    private static boolean hasCrc(byte[] line) {
        int tail = line.length - EventEncoder.CRC_TAIL;
        if (tail < 0 || line[line.length - 1] != '}' || line[line.length - 2] != '"') {
            return false;
        }
        return Arrays.equals(line, tail, tail + EventEncoder.CRC_FIELD.length, EventEncoder.CRC_FIELD, 0,
                EventEncoder.CRC_FIELD.length);
    }

    private static JournalEvent parseChecked(byte[] line) {
        int tail = line.length - EventEncoder.CRC_TAIL;
        int expected = 0;
        for (int i = tail + EventEncoder.CRC_FIELD.length; i < line.length - 2; i++) {
            int digit = Character.digit(line[i], 16);
            if (digit < 0 || Character.isUpperCase(line[i])) {
                return null;
            }
            expected = (expected << 4) | digit;
        }
        if (EventEncoder.crc(line, 0, tail) != expected || !startsWith(line, 0, PREFIX)) {
            return null;
        }
        int position = PREFIX.length;
        long seq = 0;
        int digits = 0;
        while (position < tail && line[position] >= '0' && line[position] <= '9' && digits < 18) {
            seq = seq * 10 + (line[position++] - '0');
            digits++;
        }
        if (digits == 0 || !startsWith(line, position, TIMESTAMP_FIELD)) {
            return null;
        }
        int timestampStart = position + TIMESTAMP_FIELD.length;
        int timestampEnd = indexOf(line, timestampStart, tail, (byte) '"');
        if (timestampEnd < 0 || !startsWith(line, timestampEnd, TYPE_FIELD)) {
            return null;
        }
        int typeStart = timestampEnd + TYPE_FIELD.length;
        int typeEnd = indexOf(line, typeStart, tail, (byte) '"');
        if (typeEnd < 0 || !startsWith(line, typeEnd, PAYLOAD_FIELD)) {
            return null;
        }
        int payloadStart = typeEnd + PAYLOAD_FIELD.length;
        if (payloadStart >= tail || line[payloadStart] != '{' || line[tail - 1] != '}') {
            return null;
        }
        return new JournalEvent(seq, ascii(line, typeStart, typeEnd), ascii(line, timestampStart, timestampEnd), line,
                payloadStart, tail, null);
    }

    @SuppressWarnings("unchecked")
    private static JournalEvent parseUnchecked(byte[] line) {
        try {
            Object parsed = MAPPER.readValue(line, Object.class);
            if (!(parsed instanceof Map<?, ?> json) || !(json.get("seq") instanceof Number seq)
                    || !(json.get("type") instanceof String type)) {
                return null;
            }
            Object payload = json.get("payload");
            if (payload != null && !(payload instanceof Map)) {
                return null;
            }
            Map<String, Object> map = payload == null ? Map.of() : (Map<String, Object>) payload;
            byte[] payloadBytes = MAPPER.writeValueAsBytes(map);
            Object timestamp = json.get("timestamp");
            return new JournalEvent(seq.longValue(), type, timestamp == null ? null : timestamp.toString(),
                    payloadBytes, 0, payloadBytes.length, map);
        }
        catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] line, int position, byte[] prefix) {
        return position + prefix.length <= line.length
                && Arrays.equals(line, position, position + prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] line, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String ascii(byte[] line, int from, int to) {
        return new String(line, from, to - from, StandardCharsets.UTF_8);
    }

}
