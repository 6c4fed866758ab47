package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One metric transaction, a {@code /log} or a whole {@code /log/batch}, checked the way
 * {@code routes/run_metrics.py} checks it: every value against the committed rows only
 * (the session does not autoflush), so entries of one batch never conflict with each
 * other; then, at commit, DuckDB's rules.
 */
final class MetricWrite {

    static final String SERIES = "_series";

    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);

    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

    /** The unique index is on {@code COALESCE(step, -999999999)}. */
    private static final int NULL_STEP_KEY = -999999999;

    private record Pending(String path, String type, BigInteger step, Object value, LocalDateTime timestamp) {
    }

    private final Run run;

    private final List<Pending> pending = new ArrayList<>();

    MetricWrite(Run run) {
        this.run = run;
    }

    /** Keys whose values are not str, bool, int or float (null, lists). */
    static List<String> nonScalarKeys(Map<String, JsonNode> flat) {
        List<String> keys = new ArrayList<>();
        flat.forEach((k, v) -> {
            if (!(v.isBoolean() || v.isNumber() || v.isTextual())) {
                keys.add(k);
            }
        });
        return keys;
    }

    /**
     * Adds the values of one entry; returns their conflicts with committed rows (409
     * messages).
     */
    List<String> add(Map<String, JsonNode> flat, BigInteger step, LocalDateTime timestamp) {
        String suffix = step != null ? SERIES : "";
        List<String> conflicts = new ArrayList<>();
        flat.forEach((path, node) -> {
            String type = baseType(node) + suffix;
            String conflict = conflict(run.metrics.get(path), path, type, step);
            if (conflict != null) {
                conflicts.add(conflict);
            }
            else {
                pending.add(new Pending(path, type, step, value(node), timestamp));
            }
        });
        return conflicts;
    }

    /**
     * Commits: DuckDB's 32-bit INTEGER columns reject a step or an int value out of
     * range, and the unique index on (run, path, COALESCE(step, -999999999)) rejects
     * duplicates within the transaction. Either fails the whole request with a 500 and
     * stores nothing.
     */
    void commit(LongSupplier rowIds) {
        Set<String> keys = new HashSet<>();
        for (Pending p : pending) {
            if (p.step() != null && !fitsInt(p.step())) {
                throw ApiError.internal();
            }
            if (p.value() instanceof BigInteger big && !fitsInt(big)) {
                throw ApiError.internal();
            }
            int stepKey = p.step() == null ? NULL_STEP_KEY : p.step().intValue();
            if (!keys.add(p.path() + '\u0000' + stepKey)) {
                throw ApiError.internal();
            }
        }
        for (Pending p : pending) {
            Object value = p.value() instanceof BigInteger big ? (Object) big.longValue() : p.value();
            run.insert(new Row(rowIds.getAsLong(), p.path(), p.type(), p.step() == null ? null : p.step().intValue(),
                    p.timestamp(), value));
        }
    }

    private static String conflict(PathRows rows, String path, String type, BigInteger step) {
        if (rows != null && !rows.typeCounts.isEmpty()) {
            Set<String> existing = rows.typeCounts.keySet();
            Set<String> baseExisting = new HashSet<>();
            existing.forEach(t -> baseExisting.add(t.replace(SERIES, "")));
            if (!baseExisting.contains(type.replace(SERIES, ""))) {
                return "Type conflict for '" + path + "': cannot log " + type + ", existing types are "
                        + Json.pySetRepr(existing);
            }
            boolean hasScalar = existing.stream().anyMatch(t -> !t.contains(SERIES));
            boolean hasSeries = existing.stream().anyMatch(t -> t.contains(SERIES));
            if (step != null && hasScalar) {
                return "Metric '" + path + "' already has scalar (summary) values \u2014 cannot log series at step "
                        + step + " (use remove() first)";
            }
            if (step == null && hasSeries) {
                return "Metric '" + path + "' already has series (stepped) values \u2014 cannot log scalar "
                        + "(use remove() first)";
            }
        }
        if (rows != null && find(rows, step) != null) {
            return "Metric '" + path + "' already exists at " + (step != null ? "step " + step : "summary")
                    + " (use remove() first to overwrite)";
        }
        return null;
    }

    /** The row at exactly this step ({@code step IS NULL} for null). */
    static Row find(PathRows rows, BigInteger step) {
        if (step == null) {
            return rows.scalar;
        }
        return fitsInt(step) ? rows.series.get(step.intValue()) : null;
    }

    /**
     * The type inferred from the JSON token: {@code 1} is an int, {@code 1.0} a float.
     */
    private static String baseType(JsonNode node) {
        if (node.isBoolean()) {
            return "bool";
        }
        if (node.isIntegralNumber()) {
            return "int";
        }
        if (node.isNumber()) {
            return "float";
        }
        return "string";
    }

    private static Object value(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    private static boolean fitsInt(BigInteger value) {
        return value.compareTo(INT_MIN) >= 0 && value.compareTo(INT_MAX) <= 0;
    }

}
