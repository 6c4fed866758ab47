package io.dalva.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The results of one JMH run, as written by {@code -rf json}: finds a benchmark's result
 * by name and parameters and reads its figures.
 */
final class Results {

    private final JsonNode results;

    Results(JsonNode results) {
        this.results = results;
    }

    /**
     * @return the result of {@code benchmark} (suffix of its name) whose params match the
     * pairs given, or {@code null}
     */
    JsonNode find(String benchmark, String... params) {
        for (JsonNode result : results) {
            if (!result.path("benchmark").asText().endsWith(benchmark)) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < params.length; i += 2) {
                matches &= params[i + 1].equals(result.path("params").path(params[i]).asText());
            }
            if (matches) {
                return result;
            }
        }
        return null;
    }

    /** Whether any result's benchmark name contains {@code part}. */
    boolean any(String part) {
        for (JsonNode result : results) {
            if (result.path("benchmark").asText().contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** Every reading of a secondary metric, over every result of the run, in order. */
    List<Double> everyReading(String name) {
        List<Double> readings = new ArrayList<>();
        for (JsonNode result : results) {
            JsonNode metric = result.path("secondaryMetrics").path(name);
            if (!metric.isMissingNode()) {
                readings.add(metric.path("score").asDouble(Double.NaN));
            }
        }
        return readings;
    }

    static double primary(JsonNode result) {
        return result == null ? Double.NaN : result.path("primaryMetric").path("score").asDouble(Double.NaN);
    }

    static double secondary(JsonNode result, String name) {
        return result == null ? Double.NaN
                : result.path("secondaryMetrics").path(name).path("score").asDouble(Double.NaN);
    }

    /**
     * The sum of a counter's values over every measured iteration (JMH reports
     * {@code @AuxCounters} of type {@code EVENTS} per iteration).
     */
    static double total(JsonNode result, String name) {
        if (result == null) {
            return Double.NaN;
        }
        double sum = 0;
        int count = 0;
        for (JsonNode fork : result.path("secondaryMetrics").path(name).path("rawData")) {
            for (JsonNode value : fork) {
                sum += value.asDouble();
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum;
    }

    /** The mean of a counter's per-iteration values. */
    static double perIteration(JsonNode result, String name) {
        if (result == null) {
            return Double.NaN;
        }
        int count = 0;
        for (JsonNode fork : result.path("secondaryMetrics").path(name).path("rawData")) {
            count += fork.size();
        }
        return count == 0 ? Double.NaN : total(result, name) / count;
    }

}
