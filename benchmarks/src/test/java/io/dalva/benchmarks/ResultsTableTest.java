package io.dalva.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResultsTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArrayNode results = JSON.createArrayNode();

    @Test
    void publishRowsArePerPublishWithRatiosAgainstThePeersOfTheSameRun() {
        // two iterations each: the counters are summed over both
        // dalva's sender went on after the data arrived: that work is the publish's too
        publish("dalva", 4.0,
                Map.of("publishes", 100, "cpuNanos", 150_000_000L, "afterCpuNanos", 50_000_000L, "allocatedBytes",
                        92_160_000L, "afterAllocatedBytes", 10_240_000L, "callerNanos", 100_000_000L, "sinkBytes",
                        2_500_000L, "sinkValues", 100_000L, "deliveredNanos", 380_000_000L));
        publish("influx", 3.0, Map.of("publishes", 100, "cpuNanos", 400_000_000L, "allocatedBytes", 204_800_000L,
                "callerNanos", 300_000_000L, "sinkBytes", 500_000L, "sinkValues", 100_000L));
        publish("otlp", 2.0, Map.of("publishes", 100, "cpuNanos", 100_000_000L, "allocatedBytes", 51_200_000L,
                "callerNanos", 200_000_000L, "sinkBytes", 3_000_000L, "sinkValues", 100_000L));
        publish("baseline", 1.0, Map.of("publishes", 200, "cpuNanos", 100_000_000L, "allocatedBytes", 10_240_000L,
                "callerNanos", 100_000_000L, "sinkBytes", 0, "sinkValues", 0));

        String table = new ResultsTable(results).render();

        // dalva: 2 ms CPU = 0.50x Influx's 4 ms, 2.00x OTLP's 1 ms; 1,000 KB = 0.50x
        // Influx, 2.00x OTLP; 25 bytes per value; 1,000 values; delivered in 3.8 ms
        // (the score, 4 ms, also holds the thread readings); own = minus the baseline's
        // 0.5 ms and 50 KB
        assertThat(table).contains(
                "| 100 | dalva | 2.00 | 0.50× | 2.00× | 1,000 | 0.50× | 2.00× | 25.0 | 1,000 | 3.80 | 1.00 | 1.50 | 950 |");
        assertThat(table).contains("| 100 | baseline | 0.50 |  |  | 50.0 |  |  |  |  | 1.00 | 0.50 |  |  |");
        assertThat(table).contains("| 100 | dalva | 2.00× | 2.00× | 25.0 |");
    }

    @Test
    void aRunAboveTheLoadLimitIsMarkedNotPublishable() {
        publish("otlp", 2.0, Map.of("publishes", 1, "cpuNanos", 1));
        load(0.3, 0.9);
        publish("influx", 2.0, Map.of("publishes", 1, "cpuNanos", 1));
        load(0.9, 1.7);

        assertThat(new ResultsTable(results).render()).startsWith("**NOT PUBLISHABLE**: Load average (1 min, "
                + "/proc/loadavg): 0.30 before the run, 1.70 after, highest 1.70.");
    }

    @Test
    void aQuietRunIsPublishableAndARunWithoutLoadReadingsIsNot() {
        publish("otlp", 2.0, Map.of("publishes", 1, "cpuNanos", 1));

        assertThat(new ResultsTable(results).render()).startsWith("**NOT PUBLISHABLE**: ")
            .contains("unknown before the run")
            .contains("run with `-prof io.dalva.benchmarks.LoadAverageProfiler`");

        load(0.2, 1.1);
        assertThat(new ResultsTable(results).render())
            .startsWith(
                    "Load average (1 min, /proc/loadavg): 0.20 before the run, 1.10 after, highest 1.10. Publishable")
            .doesNotContain("-prof");
    }

    @Test
    void recordingComparesCpuTimeOfTheBenchmarkThread() {
        recording("counterIncrement", "dalva", 9.0, 5.25);
        recording("counterIncrement", "simple", 6.0, 5.0);

        assertThat(new ResultsTable(results).render())
            .contains("| counterIncrement | 5.25 | 5.00 | 1.05× | 9.00 | 6.00 | 0.00 |");
    }

    @Test
    void recordingWithoutTheThreadProfilerSaysHowToGetItsCpuTime() {
        ObjectNode result = result("io.dalva.benchmarks.RecordingBenchmark.timerRecord", 9.0);
        result.with("params").put("registry", "dalva");

        assertThat(new ResultsTable(results).render())
            .contains("(No CPU time per call: run with `-prof io.dalva.benchmarks.ThreadUsageProfiler`.)")
            .contains("| timerRecord | n/a | n/a | n/a | 9.00 | n/a | n/a |");
    }

    @Test
    void logPercentilesAreThoseOfEveryCallTimed() {
        ObjectNode result = result("io.dalva.benchmarks.RunLogBenchmark.log", 2.4);
        Map.of("call.p0.50", 2.1, "call.p0.99", 5.9, "call.p0.999", 29.7, "call.p0.9999", 208.9, "call.max", 5106.5,
                "call.count", 2_126_215.0, "cpu.worker.norm", 2300.0, "alloc.worker.norm", 3.9)
            .forEach((name, score) -> result.with("secondaryMetrics").with(name).put("score", score));

        assertThat(new ResultsTable(results).render())
            .contains("| 2.10 | 5.90 | 29.7 | 209 | 5,107 | 2,126,215 | 2.40 | 0.01× | 2.30 | 3.90 |")
            .doesNotContain("CallLatencyProfiler");
    }

    @Test
    void logWithoutTheLatencyProfilerSaysHowToGetItsPercentiles() {
        result("io.dalva.benchmarks.RunLogBenchmark.log", 2.4);

        assertThat(new ResultsTable(results).render())
            .contains("(No percentiles: run with `-prof io.dalva.benchmarks.CallLatencyProfiler`.)");
    }

    @Test
    void ratiosAndFiguresWithoutAPeerSayNotAvailable() {
        assertThat(ResultsTable.ratio(1, Double.NaN)).isEqualTo("n/a");
        assertThat(ResultsTable.ratio(1, 0)).isEqualTo("n/a");
        assertThat(ResultsTable.fixed(Double.NaN)).isEqualTo("n/a");
        assertThat(ResultsTable.fixed(12_345.6)).isEqualTo("12,346");
        assertThat(ResultsTable.fixed(12.34)).isEqualTo("12.3");
        assertThat(ResultsTable.fixed(1.234)).isEqualTo("1.23");
    }

    private void publish(String registry, double millis, Map<String, Number> totals) {
        ObjectNode result = result("io.dalva.benchmarks.PublishBenchmark.publish", millis);
        result.with("params").put("series", "100").put("registry", registry);
        totals.forEach((name, total) -> {
            ArrayNode iterations = result.with("secondaryMetrics").with(name).putArray("rawData").addArray();
            iterations.add(total.doubleValue() / 2).add(total.doubleValue() / 2);
        });
    }

    private void recording(String operation, String registry, double nanos, double cpuNanos) {
        ObjectNode result = result("io.dalva.benchmarks.RecordingBenchmark." + operation, nanos);
        result.with("params").put("registry", registry);
        result.with("secondaryMetrics").with("cpu.worker.norm").put("score", cpuNanos);
        result.with("secondaryMetrics").with("alloc.worker.norm").put("score", 0.0);
    }

    /** Load readings of the last result added. */
    private void load(double before, double after) {
        ObjectNode metrics = ((ObjectNode) results.get(results.size() - 1)).with("secondaryMetrics");
        metrics.with("load.before").put("score", before);
        metrics.with("load.after").put("score", after);
    }

    private ObjectNode result(String benchmark, double score) {
        ObjectNode result = results.addObject().put("benchmark", benchmark);
        result.with("primaryMetric").put("score", score);
        return result;
    }

}
