package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metric paths and config keys: flattening, DuckDB's string order, and LIMIT/OFFSET
 * pages.
 */
final class KeyPaths {

    private KeyPaths() {
    }

    /**
     * {@code _flatten_config}: nested objects joined with '/', the last duplicate key
     * winning.
     */
    static Map<String, JsonNode> flatten(ObjectNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        flatten(node, "", out);
        return out;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, JsonNode> out) {
        node.fields().forEachRemaining(e -> {
            String key = prefix.isEmpty() ? e.getKey() : prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(e.getValue(), key + "/", out);
            }
            else {
                out.put(key, e.getValue());
            }
        });
    }

    /** DuckDB compares strings by their UTF-8 bytes: code point order. */
    static int compareCodepoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * {@code LIMIT limit OFFSET offset}; DuckDB rejects negative or oversized values
     * (500).
     */
    static <T> List<T> page(List<T> items, BigInteger limit, BigInteger offset) {
        if (limit.signum() < 0 || offset.signum() < 0 || limit.bitLength() > 63 || offset.bitLength() > 63) {
            throw ApiError.internal();
        }
        long from = Math.min(offset.longValue(), items.size());
        long to = Math.min(from + Math.min(limit.longValue(), Integer.MAX_VALUE), items.size());
        return items.subList((int) from, (int) to);
    }

    /** {@code has_more = (offset + limit) < total}. */
    static boolean hasMore(BigInteger limit, BigInteger offset, int total) {
        return offset.add(limit).compareTo(BigInteger.valueOf(total)) < 0;
    }

}
