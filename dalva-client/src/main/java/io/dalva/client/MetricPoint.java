package io.dalva.client;

import java.time.Instant;

/**
 * One value of a metric's history, as returned by
 * {@link DalvaClient#getMetricValues(long, String, MetricQuery)}.
 *
 * @param step the step, {@code null} for a scalar
 * @param timestamp when the server stored it, may be {@code null}
 * @param value {@code Double}, {@code Long}, {@code Boolean} or {@code String}
 * @param attributeType the stored type, e.g. {@code float_series}
 */
public record MetricPoint(Integer step, Instant timestamp, Object value, String attributeType) {
}
