package io.dalva.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Turns one JMH run's JSON results ({@code -rf json -rff FILE}, with the
 * {@link ThreadUsageProfiler} and {@link LoadAverageProfiler}) into the Markdown tables
 * of {@code benchmarks/README.md}: every ratio is against the peer measured in the same
 * run, every cost is the CPU time and allocation of the measured operation only, and the
 * tables are headed by the load average before and after the run, marked <strong>NOT
 * PUBLISHABLE</strong> above {@value LoadAverage#PUBLISHABLE_MAX}:
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

    private static final String[] SERIES = { "100", "1000", "10000" };

    private static final String PUBLISH = "PublishBenchmark.publish";

    private final Results results;

    private final StringBuilder out = new StringBuilder();

    ResultsTable(JsonNode results) {
        this.results = new Results(results);
    }

    /**
     * Prints the tables of one JMH result file, or of several (one run per configuration)
     * read as one.
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ResultsTable <jmh-results.json>...");
            System.exit(2);
        }
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode all = mapper.createArrayNode();
        for (String file : args) {
            mapper.readTree(Path.of(file).toFile()).forEach(all::add);
        }
        System.out.print(new ResultsTable(all).render());
    }

    /** The Markdown of every table the results have data for. */
    String render() {
        loadAverage();
        publishTable();
        recordingTable();
        logTable();
        footprintTable();
        return out.toString();
    }

    private void loadAverage() {
        List<Double> before = results.everyReading("load.before");
        List<Double> after = results.everyReading("load.after");
        double highest = before.isEmpty() ? Double.NaN : Double.NEGATIVE_INFINITY;
        for (List<Double> readings : List.of(before, after)) {
            for (double reading : readings) {
                highest = Double.isNaN(reading) ? Double.NaN : Math.max(highest, reading);
            }
        }
        line(LoadAverage.verdict(before.isEmpty() ? Double.NaN : before.get(0),
                after.isEmpty() ? Double.NaN : after.get(after.size() - 1), highest));
        if (before.isEmpty()) {
            line("");
            line("(No load readings: run with `-prof io.dalva.benchmarks.LoadAverageProfiler`.)");
        }
        if ((results.any("RecordingBenchmark.") || results.any("RunLogBenchmark."))
                && results.everyReading("cpu.worker.norm").isEmpty()) {
            line("");
            line("(No CPU time per call: run with `-prof io.dalva.benchmarks.ThreadUsageProfiler`.)");
        }
        line("");
    }

    private void publishTable() {
        if (results.find(PUBLISH) == null) {
            return;
        }
        line("### Publish: one step of the same meters to a loopback sink (lower is better)");
        line("");
        line("CPU and allocation: every thread of the publishing JVM from the start of the publish until the sink "
                + "has its data, plus what the other threads did after it until the next publish (the untimed "
                + "recording before each publish excluded). Ratios: against the peer in the same run. Own: minus "
                + "the baseline (Micrometer reading the same meters, sending nothing: its percentiles are "
                + "Micrometer's time-window snapshots, which `dalva` replaces with a step histogram, so its own "
                + "figures can be negative). `dalva-window`: Dalva with `percentiles=window`, Micrometer's "
                + "snapshots.");
        line("");
        line("| series | registry | CPU ms per publish | vs Influx | vs OTLP | KB allocated per publish | vs Influx "
                + "| vs OTLP | bytes per value | values per publish | ms until delivered | ms until the call returned "
                + "| own CPU ms | own KB |");
        line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String series : SERIES) {
            Publish influx = publish(series, "influx");
            Publish otlp = publish(series, "otlp");
            Publish baseline = publish(series, "baseline");
            for (String registry : new String[] { "dalva", "dalva-window", "influx", "otlp", "baseline" }) {
                Publish publish = publish(series, registry);
                if (publish == null) {
                    continue;
                }
                boolean peer = !registry.equals("baseline");
                row(series, registry, fixed(publish.cpuMillis()), peer ? ratio(publish.cpuMillis(), cpu(influx)) : "",
                        peer ? ratio(publish.cpuMillis(), cpu(otlp)) : "", fixed(publish.allocatedKb()),
                        peer ? ratio(publish.allocatedKb(), kb(influx)) : "",
                        peer ? ratio(publish.allocatedKb(), kb(otlp)) : "", peer ? fixed(publish.bytesPerValue()) : "",
                        peer ? fixed(publish.valuesPerPublish()) : "", fixed(publish.wallMillis()),
                        fixed(publish.callerMillis()), peer ? fixed(publish.cpuMillis() - cpu(baseline)) : "",
                        peer ? fixed(publish.allocatedKb() - kb(baseline)) : "");
            }
        }
        line("");
        publishTargets();
    }

    private void publishTargets() {
        line("| series | registry | Dalva CPU vs the faster of Influx and OTLP (target ≤ 0.70×) "
                + "| Dalva allocation vs OTLP (target ≤ 0.30×) | Dalva bytes per value (target ≤ 25) |");
        line("|---:|---|---:|---:|---:|");
        for (String series : SERIES) {
            for (String registry : new String[] { "dalva", "dalva-window" }) {
                Publish dalva = publish(series, registry);
                if (dalva == null) {
                    continue;
                }
                double faster = Math.min(orInfinity(cpu(publish(series, "influx"))),
                        orInfinity(cpu(publish(series, "otlp"))));
                row(series, registry, ratio(dalva.cpuMillis(), faster),
                        ratio(dalva.allocatedKb(), kb(publish(series, "otlp"))), fixed(dalva.bytesPerValue()));
            }
        }
        line("");
    }

    private void recordingTable() {
        if (!results.any("RecordingBenchmark.")) {
            return;
        }
        line("### Recording: one call on the application's thread (lower is better)");
        line("");
        line("CPU: the benchmark thread's CPU time per call (a loaded machine stretches wall time, not CPU time).");
        line("");
        line("| operation | Dalva CPU ns | SimpleMeterRegistry (step) CPU ns | Dalva / Simple (CPU; target ≤ 1.05×) "
                + "| Dalva wall ns | Simple wall ns | Dalva bytes allocated |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        for (String operation : new String[] { "counterIncrement", "timerRecord" }) {
            JsonNode dalva = results.find("RecordingBenchmark." + operation, "registry", "dalva");
            JsonNode simple = results.find("RecordingBenchmark." + operation, "registry", "simple");
            double dalvaCpu = Results.secondary(dalva, "cpu.worker.norm");
            double simpleCpu = Results.secondary(simple, "cpu.worker.norm");
            row(operation, fixed(dalvaCpu), fixed(simpleCpu), ratio(dalvaCpu, simpleCpu), fixed(Results.primary(dalva)),
                    fixed(Results.primary(simple)), fixed(Results.secondary(dalva, "alloc.worker.norm")));
        }
        line("");
    }

    private void logTable() {
        JsonNode log = results.find("RunLogBenchmark.log");
        if (log != null) {
            line("### `DalvaRun.log` of 10 values, the sender blocked on a server that holds its requests");
            line("");
            if (Double.isNaN(Results.secondary(log, "call.p0.50"))) {
                line("(No percentiles: run with `-prof io.dalva.benchmarks.CallLatencyProfiler`.)");
                line("");
            }
            line("| median µs | p99 µs | p99.9 µs | p99.99 µs | slowest µs | calls timed | mean µs "
                    + "| median vs Python SDK (260 µs) | caller CPU µs per call | caller bytes allocated per call |");
            line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            double median = Results.secondary(log, "call.p0.50");
            row(fixed(median), fixed(Results.secondary(log, "call.p0.99")),
                    fixed(Results.secondary(log, "call.p0.999")), fixed(Results.secondary(log, "call.p0.9999")),
                    fixed(Results.secondary(log, "call.max")), fixed(Results.secondary(log, "call.count")),
                    fixed(Results.primary(log)), ratio(median, PYTHON_LOG_MICROS),
                    fixed(Results.secondary(log, "cpu.worker.norm") / 1000),
                    fixed(Results.secondary(log, "alloc.worker.norm")));
            line("");
        }
        JsonNode deliver = results.find("RunLogBenchmark.deliver");
        if (deliver != null) {
            double cpuMicros = Results.secondary(deliver, "cpu.all.norm") / 1000;
            line("| asynchronous delivery into `DalvaTestServer` | figure |");
            line("|---|---:|");
            row("values per second, `log()` until stored (`flush`)",
                    String.format(Locale.ROOT, "%,.0f", Results.primary(deliver)));
            row("client CPU µs per value (all threads)", fixed(cpuMicros));
            row("as a share of the real server's 4 ms per value", percent(cpuMicros / SERVER_MICROS_PER_VALUE));
            row("bytes allocated per value (all threads)", fixed(Results.secondary(deliver, "alloc.all.norm")));
            line("");
        }
    }

    private void footprintTable() {
        JsonNode result = results.find("QueueFootprintBenchmark.queueWhileServerDown");
        if (result == null) {
            return;
        }
        line("### A value queued while the server is down");
        line("");
        line("| figure | per queued value |");
        line("|---|---:|");
        row("journal bytes (memory-mapped spool, page cache and disk)",
                fixed(Results.perIteration(result, "journalBytesPerValue")));
        row("Java heap bytes retained", fixed(Results.perIteration(result, "heapBytesPerValue")));
        row("µs per `log()` of 10 values while queueing", fixed(Results.perIteration(result, "nanosPerLog") / 1000));
        line("");
    }

    private Publish publish(String series, String registry) {
        JsonNode result = results.find(PUBLISH, "series", series, "registry", registry);
        return result == null ? null : new Publish(result);
    }

    private static double cpu(Publish publish) {
        return publish == null ? Double.NaN : publish.cpuMillis();
    }

    private static double kb(Publish publish) {
        return publish == null ? Double.NaN : publish.allocatedKb();
    }

    private static double orInfinity(double value) {
        return Double.isNaN(value) ? Double.POSITIVE_INFINITY : value;
    }

    private void row(String... cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    private void line(String text) {
        out.append(text).append('\n');
    }

    static String ratio(double value, double peer) {
        return Double.isFinite(value) && Double.isFinite(peer) && peer > 0
                ? String.format(Locale.ROOT, "%.2f×", value / peer) : "n/a";
    }

    static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.3f %%", share * 100) : "n/a";
    }

    static String fixed(double value) {
        if (!Double.isFinite(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
    }

    /** One publish result's {@link PublishCost} totals, per publish. */
    private static final class Publish {

        private final JsonNode result;

        private final double publishes;

        Publish(JsonNode result) {
            this.result = result;
            this.publishes = Results.total(result, "publishes");
        }

        double cpuMillis() {
            return (perPublish("cpuNanos") + perPublishIfAny("afterCpuNanos")) / 1e6;
        }

        double allocatedKb() {
            return (perPublish("allocatedBytes") + perPublishIfAny("afterAllocatedBytes")) / 1024;
        }

        double callerMillis() {
            return perPublish("callerNanos") / 1e6;
        }

        double wallMillis() {
            double delivered = perPublish("deliveredNanos");
            return Double.isNaN(delivered) ? Results.primary(result) : delivered / 1e6;
        }

        double valuesPerPublish() {
            return perPublish("sinkValues");
        }

        double bytesPerValue() {
            double values = Results.total(result, "sinkValues");
            return values > 0 ? Results.total(result, "sinkBytes") / values : Double.NaN;
        }

        /** Zero when the counter is absent. */
        private double perPublishIfAny(String counter) {
            double value = perPublish(counter);
            return Double.isNaN(value) ? 0 : value;
        }

        private double perPublish(String counter) {
            return publishes > 0 ? Results.total(result, counter) / publishes : Double.NaN;
        }

    }

}
