package io.dalva.client.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates and flattens what users log, before anything is sent, the way the server
 * flattens it (nested maps joined with {@code /}). Every rejection is an
 * {@link IllegalArgumentException} naming the key.
 */
public final class Values {

    static final int MAX_STEP = Integer.MAX_VALUE;

    private Values() {
    }

    /** Flat, validated, insertion-ordered, unmodifiable copy of metrics: scalars only. */
    public static Map<String, Object> flattenMetrics(Map<String, ?> metrics) {
        return flatten(metrics, "metric", false);
    }

    /**
     * Flat, validated, insertion-ordered, unmodifiable copy of a config: scalars and
     * lists of scalars.
     */
    public static Map<String, Object> flattenConfig(Map<String, ?> config) {
        return flatten(config, "config", true);
    }

    /** Checks a step, {@code null} meaning none. */
    public static void checkStep(Integer step) {
        if (step != null) {
            checkStep(step.intValue());
        }
    }

    public static void checkStep(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step " + step + " is outside 0.." + MAX_STEP);
        }
    }

    /** Checks a single path or key given to get/remove calls. */
    public static String checkPath(String path, String what) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be null or empty");
        }
        return path;
    }

    public static Map<String, Object> unmodifiableCopy(Map<String, Object> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /**
     * Whether a value read back from the server equals one the user gives: integers of
     * any width compare as longs, a float compares by its decimal form (as it is sent).
     */
    public static boolean sameValue(Object stored, Object given) {
        return normalize(stored).equals(normalize(given));
    }

    private static Object normalize(Object value) {
        if (value instanceof Float f) {
            return Double.parseDouble(Float.toString(f));
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof List<?> list) {
            List<Object> normalized = new ArrayList<>(list.size());
            for (Object element : list) {
                normalized.add(normalize(element));
            }
            return normalized;
        }
        return value == null ? "<null>" : value;
    }

    private static Map<String, Object> flatten(Map<String, ?> map, String kind, boolean listsAllowed) {
        if (map == null) {
            throw new IllegalArgumentException(kind + " map must not be null");
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        flattenInto(map, "", flat, kind, listsAllowed);
        return Collections.unmodifiableMap(flat);
    }

    private static void flattenInto(Map<?, ?> map, String prefix, Map<String, Object> flat, String kind,
            boolean listsAllowed) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException(kind + " keys must be strings, got " + describe(entry.getKey())
                        + (prefix.isEmpty() ? "" : " under '" + prefix + "'"));
            }
            String path = prefix.isEmpty() ? key : prefix + key;
            checkKey(path, kind);
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                flattenInto(nested, path + "/", flat, kind, listsAllowed);
                continue;
            }
            Object checked = listsAllowed && value instanceof List<?> list ? checkList(path, list, kind)
                    : checkScalar(path, value, kind);
            if (flat.putIfAbsent(path, checked) != null) {
                throw new IllegalArgumentException(
                        kind + " '" + path + "' is given twice (nested maps are joined with '/')");
            }
        }
    }

    /** Checks a flat metric path: no empty {@code /}-segment. */
    public static void checkMetricKey(String path) {
        checkKey(path, "metric");
    }

    /** A long as the int Dalva stores, or an error naming the path. */
    public static int checkInt(String path, long value, String kind) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(kind + " '" + path + "' is " + value
                    + ", outside the 32-bit range Dalva stores integers in (log it as a double)");
        }
        return (int) value;
    }

    private static void checkKey(String path, String kind) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException(kind + " key '" + path + "' is empty or has an empty segment");
        }
    }

    private static List<Object> checkList(String path, List<?> list, String kind) {
        List<Object> checked = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            checked.add(checkScalar(path + "[" + i + "]", list.get(i), kind));
        }
        return Collections.unmodifiableList(checked);
    }

    private static Object checkScalar(String path, Object value, String kind) {
        if (value == null) {
            throw new IllegalArgumentException(kind + " '" + path + "' is null");
        }
        if (value instanceof Double d) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(
                        kind + " '" + path + "' is " + d + ": only finite numbers can be stored");
            }
            return d;
        }
        if (value instanceof Float f) {
            if (!Float.isFinite(f)) {
                throw new IllegalArgumentException(
                        kind + " '" + path + "' is " + f + ": only finite numbers can be stored");
            }
            return f;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).intValue();
        }
        if (value instanceof Long l) {
            return checkInt(path, l, kind);
        }
        if (value instanceof Boolean || value instanceof String) {
            return value;
        }
        throw new IllegalArgumentException(kind + " '" + path + "' has unsupported type " + value.getClass().getName()
                + " (use int, long, float, double, boolean or String)");
    }

    private static String describe(Object key) {
        return key == null ? "null" : key.getClass().getName() + " " + key;
    }

}
