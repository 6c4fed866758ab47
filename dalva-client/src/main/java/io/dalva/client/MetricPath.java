package io.dalva.client;

/**
 * A metric path of a run and its type.
 *
 * @param path the path, segments separated by {@code /}
 * @param attributeType {@code float}, {@code int}, {@code bool}, {@code string}, with
 * {@code _series} for stepped values (e.g. {@code float_series})
 */
public record MetricPath(String path, String attributeType) {

    /** Whether the path holds values by step rather than one scalar. */
    public boolean isSeries() {
        return attributeType != null && attributeType.endsWith("_series");
    }
}
