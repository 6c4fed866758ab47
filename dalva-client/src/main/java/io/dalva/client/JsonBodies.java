package io.dalva.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Request bodies, written with Jackson's streaming generator from values {@link Values}
 * validated. Doubles are written as JSON floats ({@code 1.0}, never {@code 1}), so the
 * server types them as floats; non-finite values never get here.
 */
final class JsonBodies {

    private final JsonFactory factory;

    JsonBodies(JsonFactory factory) {
        this.factory = factory;
    }

    byte[] initRun(RunInit init) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("project", init.project());
            if (init.name() != null) {
                g.writeStringField("name", init.name());
            }
            if (!init.config().isEmpty()) {
                g.writeFieldName("config");
                writeMap(g, init.config());
            }
            if (init.resumeFrom() != null) {
                g.writeStringField("resume_from", init.resumeFrom());
            }
            if (init.forkFrom() != null) {
                g.writeStringField("fork_from", init.forkFrom());
                g.writeFieldName("copy_tables_on_fork");
                if (init.copyTablesOnFork().isEmpty()) {
                    g.writeBoolean(init.copyAllTablesOnFork());
                }
                else {
                    g.writeStartArray();
                    for (Long tableId : init.copyTablesOnFork()) {
                        g.writeNumber(tableId);
                    }
                    g.writeEndArray();
                }
            }
            g.writeEndObject();
        });
    }

    byte[] log(Map<String, Object> flatMetrics, Integer step) {
        return write(g -> writeEntry(g, flatMetrics, step));
    }

    byte[] logBatch(List<LogEntry> entries) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("entries");
            for (LogEntry entry : entries) {
                @SuppressWarnings("unchecked")
                Map<String, Object> metrics = (Map<String, Object>) entry.metrics();
                writeEntry(g, metrics, entry.step());
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    byte[] config(Map<String, Object> flatConfig) {
        return write(g -> {
            g.writeStartObject();
            g.writeFieldName("config");
            writeMap(g, flatConfig);
            g.writeEndObject();
        });
    }

    private static void writeEntry(JsonGenerator g, Map<String, Object> metrics, Integer step) throws IOException {
        g.writeStartObject();
        g.writeFieldName("metrics");
        writeMap(g, metrics);
        if (step != null) {
            g.writeNumberField("step", step);
        }
        g.writeEndObject();
    }

    private static void writeMap(JsonGenerator g, Map<String, Object> flat) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Object> entry : flat.entrySet()) {
            g.writeFieldName(entry.getKey());
            writeValue(g, entry.getValue());
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Double d) {
            g.writeNumber(d.doubleValue());
        }
        else if (value instanceof Float f) {
            g.writeNumber(f.floatValue());
        }
        else if (value instanceof Integer i) {
            g.writeNumber(i.intValue());
        }
        else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        }
        else if (value instanceof String s) {
            g.writeString(s);
        }
        else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object element : list) {
                writeValue(g, element);
            }
            g.writeEndArray();
        }
        else {
            // Values only lets the types above through.
            throw new IllegalStateException("unexpected value type " + value.getClass().getName());
        }
    }

    private byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            body.writeTo(g);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write a request body in memory", e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface Body {

        void writeTo(JsonGenerator g) throws IOException;

    }

}
