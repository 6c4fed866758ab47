package io.dalva.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns one JMH run's JSON results ({@code -rf json -rff FILE}) into the Markdown tables
 * of {@code benchmarks/README.md}, ratios included, so that every figure there comes from
 * the same run:
 * {@code java -cp benchmarks/target/benchmarks.jar io.dalva.benchmarks.ResultsTable FILE}.
 */
public final class ResultsTable {

    /**
     * Dalva's Python SDK, measured on this project's machine: one {@code log()} of 10
     * values.
     */
    private static final double PYTHON_LOG_MICROS = 260;

    /** The real Dalva server's measured cost per stored value, lower bound. */
    private static final double SERVER_MICROS_PER_VALUE = 4000;

    private final JsonNode results;

    private ResultsTable(JsonNode results) {
        this.results = results;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ResultsTable <jmh-results.json>");
            System.exit(2);
        }
        new ResultsTable(new ObjectMapper().readTree(Path.of(args[0]).toFile())).print();
    }

    private void print() {
        publishTable();
        recordingTable();
        logTable();
        footprintTable();
    }

    private void publishTable() {
        System.out.println("### Publish: one step of the same meters to a loopback endpoint (lower is better)");
        System.out.println();
        System.out.println(
                "| series | registry | ms per publish | vs Influx | vs OTLP | KB allocated per publish | vs Influx | vs OTLP "
                        + "| CPU ms per publish | own KB (minus baseline) | own CPU ms (minus baseline) |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String series : new String[] { "100", "1000", "10000" }) {
            JsonNode influx = find("PublishBenchmark.publish", "series", series, "registry", "influx");
            JsonNode otlp = find("PublishBenchmark.publish", "series", series, "registry", "otlp");
            JsonNode baseline = find("PublishBenchmark.publish", "series", series, "registry", "baseline");
            for (String registry : new String[] { "dalva", "influx", "otlp", "baseline" }) {
                JsonNode result = find("PublishBenchmark.publish", "series", series, "registry", registry);
                if (result == null) {
                    continue;
                }
                double time = primary(result);
                double alloc = secondary(result, "gc.alloc.rate.norm");
                double cpu = secondary(result, "cpu.time.norm");
                boolean peer = !registry.equals("baseline");
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", series,
                        registry, fixed(time), peer ? ratio(time, primary(influx)) : "",
                        peer ? ratio(time, primary(otlp)) : "", fixed(alloc / 1024),
                        peer ? ratio(alloc, secondary(influx, "gc.alloc.rate.norm")) : "",
                        peer ? ratio(alloc, secondary(otlp, "gc.alloc.rate.norm")) : "", fixed(cpu / 1e6),
                        peer ? fixed((alloc - secondary(baseline, "gc.alloc.rate.norm")) / 1024) : "",
                        peer ? fixed((cpu - secondary(baseline, "cpu.time.norm")) / 1e6) : "");
            }
        }
        System.out.println();
    }

    private void recordingTable() {
        System.out.println("### Recording: one call on the application's thread (lower is better)");
        System.out.println();
        System.out.println("| operation | Dalva ns | SimpleMeterRegistry (step) ns | Dalva / Simple |");
        System.out.println("|---|---:|---:|---:|");
        for (String operation : new String[] { "counterIncrement", "timerRecord" }) {
            double dalva = primary(find("RecordingBenchmark." + operation, "registry", "dalva"));
            double simple = primary(find("RecordingBenchmark." + operation, "registry", "simple"));
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", operation, fixed(dalva), fixed(simple),
                    ratio(dalva, simple));
        }
        System.out.println();
    }

    private void logTable() {
        System.out.println("### `DalvaRun.log` of 10 values into `DalvaTestServer`");
        System.out.println();
        System.out.println(
                "| delivery | mean µs per call | p50 | p99 | p99.9 | vs Python SDK (260 µs) | KB allocated per call |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (String delivery : new String[] { "async", "sync" }) {
            JsonNode result = find("RunLogBenchmark.log", "delivery", delivery);
            if (result == null) {
                continue;
            }
            JsonNode percentiles = result.path("primaryMetric").path("scorePercentiles");
            double mean = primary(result);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", delivery, fixed(mean),
                    fixed(percentiles.path("50.0").asDouble()), fixed(percentiles.path("99.0").asDouble()),
                    fixed(percentiles.path("99.9").asDouble()), ratio(mean, PYTHON_LOG_MICROS),
                    fixed(secondary(result, "gc.alloc.rate.norm") / 1024));
        }
        JsonNode deliver = find("RunLogBenchmark.deliver");
        if (deliver != null) {
            double cpuMicros = secondary(deliver, "cpu.time.norm") / 1000;
            System.out.println();
            System.out.println("| asynchronous delivery | figure |");
            System.out.println("|---|---:|");
            System.out.printf(Locale.ROOT, "| values per second, `log()` until stored (`flush`) | %,.0f |%n",
                    primary(deliver));
            System.out.printf(Locale.ROOT, "| client CPU µs per value (all threads) | %s |%n", fixed(cpuMicros));
            System.out.printf(Locale.ROOT, "| as a share of the real server's 4 ms per value | %s |%n",
                    percent(cpuMicros / SERVER_MICROS_PER_VALUE));
            System.out.printf(Locale.ROOT, "| bytes allocated per value (all threads) | %s |%n",
                    fixed(secondary(deliver, "gc.alloc.rate.norm")));
        }
        System.out.println();
    }

    private void footprintTable() {
        JsonNode result = find("QueueFootprintBenchmark.queueWhileServerDown");
        if (result == null) {
            return;
        }
        System.out.println("### A value queued while the server is down");
        System.out.println();
        System.out.println("| figure | per queued value |");
        System.out.println("|---|---:|");
        System.out.printf(Locale.ROOT, "| journal bytes (memory-mapped spool, page cache and disk) | %s |%n",
                fixed(perIteration(result, "journalBytesPerValue")));
        System.out.printf(Locale.ROOT, "| Java heap bytes retained | %s |%n",
                fixed(perIteration(result, "heapBytesPerValue")));
        System.out.printf(Locale.ROOT, "| µs per `log()` of 10 values while queueing | %s |%n",
                fixed(perIteration(result, "nanosPerLog") / 1000));
        System.out.println();
    }

    /**
     * The result of {@code benchmark} (suffix of its name) whose params match the pairs
     * given.
     */
    private JsonNode find(String benchmark, String... params) {
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

    private static double primary(JsonNode result) {
        return result == null ? Double.NaN : result.path("primaryMetric").path("score").asDouble(Double.NaN);
    }

    private static double secondary(JsonNode result, String name) {
        return result == null ? Double.NaN
                : result.path("secondaryMetrics").path(name).path("score").asDouble(Double.NaN);
    }

    /**
     * The mean of a counter's per-iteration values: JMH reports {@code @AuxCounters} of
     * type {@code EVENTS} as their sum over the iterations.
     */
    private static double perIteration(JsonNode result, String name) {
        double sum = 0;
        int count = 0;
        for (JsonNode fork : result.path("secondaryMetrics").path(name).path("rawData")) {
            for (JsonNode value : fork) {
                sum += value.asDouble();
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static String ratio(double value, double peer) {
        return Double.isFinite(value) && Double.isFinite(peer) && peer > 0
                ? String.format(Locale.ROOT, "%.2f×", value / peer) : "n/a";
    }

    private static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.3f %%", share * 100) : "n/a";
    }

    private static String fixed(double value) {
        if (!Double.isFinite(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
    }

}
