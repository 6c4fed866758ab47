package io.dalva.client;

import io.dalva.client.internal.Values;

import java.util.Map;

/**
 * One entry of {@link DalvaClient#logBatch(long, java.util.List)}: metrics at a step, or
 * scalar metrics when {@code step} is {@code null}. The metrics are validated and
 * flattened (nested maps joined with {@code /}) when the entry is created, so a bad value
 * fails here with an {@link IllegalArgumentException} naming its key.
 *
 * @param metrics the metrics, flattened; values are int/long (32-bit), finite
 * float/double, boolean or String
 * @param step the step, 0..2^31-1, or {@code null} for scalar values
 */
public record LogEntry(Map<String, ?> metrics, Integer step) {

    public LogEntry {
        metrics = Values.flattenMetrics(metrics);
        Values.checkStep(step);
    }
}
