package io.dalva.client;

/**
 * One stored value of a metric path.
 *
 * @param key the metric path
 * @param value {@code Double}, {@code Long}, {@code Boolean} or {@code String}
 * ({@code null} for a non-finite float the server stored)
 * @param step the step, or {@code null} for a scalar
 */
public record MetricValue(String key, Object value, Integer step) {
}
