package io.dalva.client;

import io.dalva.client.internal.Values;

import java.util.Map;

/**
 * A run with its scalar (step-less) metrics and its configuration.
 *
 * @param run the run
 * @param metrics scalar metrics by path
 * @param config configuration, flat (nested keys joined with {@code /})
 */
public record RunSummary(RunInfo run, Map<String, Object> metrics, Map<String, Object> config) {

    public RunSummary {
        metrics = Values.unmodifiableCopy(metrics);
        config = Values.unmodifiableCopy(config);
    }
}
