package io.dalva.internal.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.client.LogEntry;
import io.dalva.client.internal.Values;
import io.dalva.internal.journal.JournalEvent;
import io.dalva.internal.journal.JournalReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code /log/batch} request body built from consecutive {@code metrics_logged}
 * events at the head of the journal: their payloads are copied into
 * {@code {"entries":[…]}} as the journal holds them, up to a budget of values; an event
 * bigger than the budget is split at its members and sent over several requests (it
 * counts as delivered with its last part). Two entries of one batch never hold the same
 * path and step (the server answers that with a 500): only when a step repeats are the
 * payloads parsed to compare their paths. Payloads are parsed back into {@link LogEntry}s
 * only when the server rejects the batch. Reused; not thread-safe.
 */
final class MetricsBatch {

    /** Receives the values of an event the server cannot take as they are. */
    interface InvalidValues {

        void invalid(String path, Integer step, String reason);

    }

    private static final byte[] START = "{\"entries\":[".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] COMMA = { ',' };

    private static final byte[] END = { ']', '}' };

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final JsonFactory FACTORY = new JsonFactory();

    private final MetricsPayload payload = new MetricsPayload();

    private final InvalidValues invalid;

    private final List<Piece> pieces = new ArrayList<>();

    private byte[] body = new byte[1 << 16];

    private int length;

    private int values;

    private long firstSeq;

    private long completeSeq;

    /** The event being sent in parts, and its next member. */
    private long splitSeq = -1;

    private int splitMember;

    private record Piece(int start, int end, Integer step, long seq) {
    }

    /** A metric path at a step ({@code null}: a scalar). */
    record Point(String path, Integer step) {
    }

    MetricsBatch(InvalidValues invalid) {
        this.invalid = invalid;
    }

    /**
     * Takes metric events from the head of {@code reader} until {@code budget} values;
     * events taken whole are consumed, an event sent in parts only with its last part.
     */
    void fill(JournalReader reader, int budget) {
        pieces.clear();
        values = 0;
        firstSeq = -1;
        completeSeq = -1;
        length = 0;
        append(START, 0, START.length);
        for (JournalEvent event = reader.peek(); event != null
                && JournalEvent.METRICS_LOGGED.equals(event.type()); event = reader.peek()) {
            boolean scanned = payload.scan(event.lineBytes(), event.payloadStart(), event.payloadEnd());
            if (!scanned) {
                if (!pieces.isEmpty()) {
                    break;
                }
                reader.next();
                addParsed(event);
                if (!pieces.isEmpty()) {
                    break;
                }
                continue;
            }
            int eventValues = payload.values();
            if (eventValues == 0) {
                reader.next();
                taken(event.seq());
                continue;
            }
            boolean split = event.seq() == splitSeq;
            if (!pieces.isEmpty() && (split || values + eventValues > budget || repeats(event.seq(), payload))) {
                break;
            }
            if (!split && values + eventValues <= budget) {
                reader.next();
                addPiece(payload.start(), payload.end(), payload.step(), event.seq(), eventValues);
                taken(event.seq());
                continue;
            }
            if (addPart(event.seq(), budget)) {
                reader.next();
                taken(event.seq());
                continue;
            }
            break;
        }
        append(END, 0, END.length);
    }

    /** Whether the batch holds any value. */
    boolean hasValues() {
        return values > 0;
    }

    int values() {
        return values;
    }

    byte[] body() {
        return body;
    }

    int length() {
        return length;
    }

    /** The seq of the first event with values in the batch, or -1. */
    long firstSeq() {
        return firstSeq;
    }

    /** The last event taken whole or completed by this batch, or -1. */
    long completeSeq() {
        return completeSeq;
    }

    /** The entries parsed back (for conflict resolution), in batch order. */
    List<LogEntry> entries() {
        List<LogEntry> entries = new ArrayList<>(pieces.size());
        for (Piece piece : pieces) {
            entries.add(new LogEntry(parse(piece), piece.step()));
        }
        return entries;
    }

    /**
     * The batch's last path and its step: the server stores a batch whole or not at all,
     * so when this value is stored, the batch is.
     */
    Point lastValue() {
        Piece last = pieces.get(pieces.size() - 1);
        String path = null;
        for (String flat : Values.flattenMetrics(parse(last)).keySet()) {
            path = flat;
        }
        return new Point(Objects.requireNonNull(path), last.step());
    }

    private boolean addPart(long seq, int budget) {
        int from = seq == splitSeq ? splitMember : 0;
        int to = from;
        int partValues = 0;
        while (to < payload.members() && (to == from || partValues + payload.memberValues(to) <= budget)) {
            partValues += payload.memberValues(to);
            to++;
        }
        int start = length;
        append(MetricsPayload.START, 0, MetricsPayload.START.length);
        for (int member = from; member < to; member++) {
            if (member > from) {
                append(COMMA, 0, 1);
            }
            append(payload.bytes(), payload.memberStart(member),
                    payload.memberEnd(member) - payload.memberStart(member));
        }
        byte[] tail = ("},\"step\":" + payload.step() + "}").getBytes(StandardCharsets.US_ASCII);
        append(tail, 0, tail.length);
        pieces.add(new Piece(start, length, payload.step(), seq));
        values += partValues;
        firstSeq = firstSeq < 0 ? seq : firstSeq;
        if (to == payload.members()) {
            splitSeq = -1;
            return true;
        }
        splitSeq = seq;
        splitMember = to;
        return false;
    }

    private void addPiece(int from, int to, Integer step, long seq, int pieceValues) {
        if (!pieces.isEmpty()) {
            append(COMMA, 0, 1);
        }
        int start = length;
        append(payload.bytes(), from, to - from);
        pieces.add(new Piece(start, length, step, seq));
        values += pieceValues;
        firstSeq = firstSeq < 0 ? seq : firstSeq;
    }

    /**
     * An event in another layout (written by an earlier version): parsed, checked and
     * encoded again; values the server could not take are reported, not sent.
     */
    private void addParsed(JournalEvent event) {
        Map<String, Object> flat;
        try {
            flat = Values.flattenMetrics(event.metrics());
            Values.checkStep(event.step());
        }
        catch (IllegalArgumentException e) {
            for (String path : event.metrics().keySet()) {
                invalid.invalid(path, event.step(), e.getMessage());
            }
            taken(event.seq());
            return;
        }
        if (!flat.isEmpty()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator generator = FACTORY.createGenerator(out)) {
                generator.writeStartObject();
                generator.writeObjectFieldStart("metrics");
                for (Map.Entry<String, Object> entry : flat.entrySet()) {
                    generator.writeFieldName(entry.getKey());
                    generator.writeObject(entry.getValue());
                }
                generator.writeEndObject();
                if (event.step() == null) {
                    generator.writeNullField("step");
                }
                else {
                    generator.writeNumberField("step", event.step());
                }
                generator.writeEndObject();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int start = length;
            append(out.toByteArray(), 0, out.size());
            pieces.add(new Piece(start, length, event.step(), event.seq()));
            values += flat.size();
            firstSeq = firstSeq < 0 ? event.seq() : firstSeq;
        }
        taken(event.seq());
    }

    private void taken(long seq) {
        completeSeq = seq;
    }

    /**
     * Whether the scanned event shares a path and step with an entry of the batch (parsed
     * only when its step is in the batch already).
     */
    private boolean repeats(long seq, MetricsPayload scanned) {
        Set<String> paths = null;
        for (Piece piece : pieces) {
            if (Objects.equals(piece.step(), scanned.step())) {
                if (paths == null) {
                    paths = Values.flattenMetrics(parse(scanned.bytes(), scanned.start(), scanned.end())).keySet();
                }
                Set<String> held = new HashSet<>(Values.flattenMetrics(parse(piece)).keySet());
                held.retainAll(paths);
                if (!held.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private Map<String, Object> parse(Piece piece) {
        return parse(body, piece.start(), piece.end());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(byte[] bytes, int start, int end) {
        try {
            Map<String, Object> entry = MAPPER.readValue(bytes, start, end - start, Map.class);
            Object metrics = entry.get("metrics");
            return metrics instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(byte[] bytes, int offset, int count) {
        if (length + count > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, length + count));
        }
        System.arraycopy(bytes, offset, body, length, count);
        length += count;
    }

}
