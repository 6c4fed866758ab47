package io.dalva.internal.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds the parts of a {@code metrics_logged} payload as the journal's encoders write it,
 * {@code {"metrics":{member,…},"step":N}} (a member is {@code "path":value} or a folder
 * {@code "folder":{"field":value,…}}), in its bytes, without building anything: where
 * each member starts and ends, how many values it holds, and the step. The sender uses it
 * to forward payloads into batch bodies as they are and to split a payload too big for
 * one request at member boundaries. Reused for every event; not thread-safe.
 */
final class MetricsPayload {

    /** How a payload, and so each entry of a batch body, starts. */
    static final byte[] START = "{\"metrics\":{".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] STEP = ",\"step\":".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;

    private int start;

    private int end;

    private Integer step;

    private int members;

    private int values;

    private int nestedValues;

    private int[] memberStarts = new int[64];

    private int[] memberEnds = new int[64];

    private int[] memberValues = new int[64];

    /**
     * Scans {@code bytes[start, end)}.
     * @return whether it has the layout above; when not, the caller parses the payload
     */
    boolean scan(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.start = start;
        this.end = end;
        this.members = 0;
        this.values = 0;
        if (!startsWith(START, start)) {
            return false;
        }
        int position = start + START.length;
        if (position < end && bytes[position] == '}') {
            return readStep(position + 1);
        }
        while (position < end) {
            int memberStart = position;
            position = skipString(position);
            if (position < 0 || position >= end || bytes[position] != ':') {
                return false;
            }
            position++;
            int count;
            if (position < end && bytes[position] == '{') {
                nestedValues = 0;
                position = skipObject(position);
                count = nestedValues;
            }
            else {
                position = skipScalar(position);
                count = 1;
            }
            if (position < 0 || position >= end) {
                return false;
            }
            addMember(memberStart, position, count);
            if (bytes[position] == '}') {
                return readStep(position + 1);
            }
            if (bytes[position] != ',') {
                return false;
            }
            position++;
        }
        return false;
    }

    /** The step; {@code null} for scalars. */
    Integer step() {
        return step;
    }

    int members() {
        return members;
    }

    int values() {
        return values;
    }

    int memberValues(int member) {
        return memberValues[member];
    }

    byte[] bytes() {
        return bytes;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    int memberStart(int member) {
        return memberStarts[member];
    }

    int memberEnd(int member) {
        return memberEnds[member];
    }

    private boolean readStep(int position) {
        if (!startsWith(STEP, position)) {
            return false;
        }
        position += STEP.length;
        if (end - position == 5 && bytes[position] == 'n' && bytes[position + 1] == 'u' && bytes[position + 2] == 'l'
                && bytes[position + 3] == 'l') {
            step = null;
            return bytes[end - 1] == '}';
        }
        long value = 0;
        int digits = 0;
        while (position < end - 1 && bytes[position] >= '0' && bytes[position] <= '9' && digits < 11) {
            value = value * 10 + (bytes[position++] - '0');
            digits++;
        }
        if (digits == 0 || position != end - 1 || bytes[position] != '}' || value > Integer.MAX_VALUE) {
            return false;
        }
        step = (int) value;
        return true;
    }

    private void addMember(int memberStart, int memberEnd, int count) {
        if (members == memberStarts.length) {
            memberStarts = Arrays.copyOf(memberStarts, members * 2);
            memberEnds = Arrays.copyOf(memberEnds, members * 2);
            memberValues = Arrays.copyOf(memberValues, members * 2);
        }
        memberStarts[members] = memberStart;
        memberEnds[members] = memberEnd;
        memberValues[members] = count;
        members++;
        values += count;
    }

    /**
     * @return the position after the string starting at {@code position}, or -1
     */
    private int skipString(int position) {
        if (position >= end || bytes[position] != '"') {
            return -1;
        }
        for (int i = position + 1; i < end; i++) {
            if (bytes[i] == '\\') {
                i++;
            }
            else if (bytes[i] == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * @return the position of the ',' or '}' after a scalar, or -1
     */
    private int skipScalar(int position) {
        if (position < end && bytes[position] == '"') {
            return skipString(position);
        }
        while (position < end && bytes[position] != ',' && bytes[position] != '}') {
            if (bytes[position] == '{' || bytes[position] == '[' || bytes[position] == '"') {
                return -1;
            }
            position++;
        }
        return position;
    }

    /**
     * @return the position after the object starting at {@code position} (its scalar
     * values added to {@code nestedValues}), or -1
     */
    private int skipObject(int position) {
        position++; // '{'
        if (position < end && bytes[position] == '}') {
            return position + 1;
        }
        while (position < end) {
            position = skipString(position);
            if (position < 0 || position >= end || bytes[position] != ':') {
                return -1;
            }
            position++;
            if (position < end && bytes[position] == '{') {
                position = skipObject(position);
            }
            else {
                position = skipScalar(position);
                nestedValues++;
            }
            if (position < 0 || position >= end) {
                return -1;
            }
            if (bytes[position] == '}') {
                return position + 1;
            }
            if (bytes[position] != ',') {
                return -1;
            }
            position++;
        }
        return -1;
    }

    private boolean startsWith(byte[] prefix, int position) {
        return position + prefix.length <= end
                && Arrays.equals(bytes, position, position + prefix.length, prefix, 0, prefix.length);
    }

}
