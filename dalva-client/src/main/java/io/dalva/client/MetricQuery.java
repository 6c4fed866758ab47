package io.dalva.client;

/**
 * Which values of a metric to read: a page ({@code limit}, {@code offset}) within an
 * optional step range. Unset fields use the server's defaults (limit 1000, offset 0, all
 * steps).
 *
 * @param limit maximum number of values, or {@code null}
 * @param offset number of values to skip, or {@code null}
 * @param stepMin lowest step included, or {@code null}
 * @param stepMax highest step included, or {@code null}
 */
public record MetricQuery(Integer limit, Integer offset, Integer stepMin, Integer stepMax) {

    /** The server's defaults: the first 1000 values. */
    public static final MetricQuery DEFAULT = new MetricQuery(null, null, null, null);

    public MetricQuery {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (offset != null && offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
    }

    /** A query for {@code limit} values from {@code offset}. */
    public static MetricQuery page(int limit, int offset) {
        return new MetricQuery(limit, offset, null, null);
    }

    /** This query restricted to steps {@code stepMin..stepMax} (inclusive). */
    public MetricQuery steps(int stepMin, int stepMax) {
        return new MetricQuery(limit, offset, stepMin, stepMax);
    }
}
